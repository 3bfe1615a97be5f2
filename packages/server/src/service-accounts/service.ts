import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '@gatehouse/contract';
import type { PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Actor, RequestContext } from '../audit/events.js';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Clock } from '../clock.js';
import { generateSecret, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db, Queryable } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { requireTimestamp } from '../http/timestamps.js';
import { newId } from '../ids.js';
import { validName } from '../names.js';
import { serviceAccountStore, type ClientSecret, type ServiceAccount } from './store.js';

/** [A5] Grace window bounds, in seconds. */

export interface ServiceAccountView extends ServiceAccount {
  secrets: Omit<ClientSecret, 'hash'>[];
}

export interface CreateInput {
  name: string;
  scopes: string[];
  expiresAt?: string | null;
}

export interface UpdateInput {
  name?: string;
  scopes?: string[];
  expiresAt?: string | null;
}

/**
 * The rules of credential model A (§2). Callers have already checked that the acting user may
 * manage service accounts in `orgId`. Every change commits with its audit event, then invalidates
 * the principal state so the next token grant or API call sees it.
 */
export class ServiceAccountService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly audit: AuditLog,
    private readonly states: PrincipalStates,
    /** [A1] [B8] scopes are drawn only from the loaded catalogue. */
    private readonly catalogue: ScopeCatalogue,
  ) {}

  /** [A1] [A2]: the secret is in this return value and nowhere else, ever. */
  async create(actor: Actor, orgId: string, input: CreateInput, ctx: RequestContext) {
    const now = this.clock.now();
    const name = validName(input.name);
    const scopes = this.catalogue.validServiceAccountScopes(input.scopes);
    const expiresAt = this.validExpiry(input.expiresAt);
    const id = newId('svc');
    const clientSecret = generateSecret(SECRET_PREFIX.clientSecret);
    const secretId = newId('sec');
    await this.db.transaction(async (tx) => {
      await serviceAccountStore.insert(tx, { id, orgId, name, scopes, expiresAt, createdAt: now, createdBy: actor.id ?? 'system', updatedAt: now });
      await serviceAccountStore.insertSecret(tx, id, { id: secretId, generation: 1, hash: this.hasher.hash(clientSecret), createdAt: now });
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'service_account.create',
          outcome: 'success',
          actor,
          target: { type: 'service_account', id },
          credential: secretId,
          detail: { name, scopes, expiresAt },
        },
        ctx,
      );
    });
    this.states.invalidate(id);
    return { account: await this.get(orgId, id), clientSecret };
  }

  /** `unusedForDays`: only accounts with no successful grant in that many days, or never (issue 14 item 5). */
  async list(orgId: string, after: string | null, limit: number, unusedForDays?: number): Promise<ServiceAccountView[]> {
    const since = unusedForDays === undefined ? null : new Date(this.clock.now().getTime() - unusedForDays * 86_400_000);
    const accounts = await serviceAccountStore.listByOrg(this.db, orgId, after, limit, since);
    const secrets = await serviceAccountStore.secretsOf(
      this.db,
      accounts.map((a) => a.id),
    );
    return accounts.map((a) => this.present(a, secrets.get(a.id) ?? []));
  }

  async get(orgId: string, id: string): Promise<ServiceAccountView> {
    const account = await serviceAccountStore.findInOrg(this.db, orgId, id);
    if (!account) throw notFound('service account');
    return this.present(account, await serviceAccountStore.secrets(this.db, id));
  }

  /** [A9]: narrowing scopes narrows live tokens, since every call intersects with the current set. */
  async update(actor: Actor, orgId: string, id: string, input: UpdateInput, ctx: RequestContext) {
    const now = this.clock.now();
    await this.change(orgId, id, async (tx, account) => {
      const next = {
        name: input.name !== undefined ? validName(input.name) : account.name,
        scopes: input.scopes !== undefined ? this.catalogue.validServiceAccountScopes(input.scopes) : account.scopes,
        expiresAt: input.expiresAt !== undefined ? this.validExpiry(input.expiresAt) : account.expiresAt,
        updatedAt: now,
        // [A8] as [A7]: an account past its expiry is disabled, so moving the expiry on revives
        // nothing; only tokens issued after the change work.
        endTokens: input.expiresAt !== undefined && account.expiresAt !== null && account.expiresAt.getTime() <= now.getTime(),
      };
      await serviceAccountStore.update(tx, id, next);
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'service_account.update',
          outcome: 'success',
          actor,
          target: { type: 'service_account', id },
          detail: {
            ...(input.name !== undefined ? { name: next.name } : {}),
            ...(input.scopes !== undefined ? { scopes: next.scopes, previousScopes: account.scopes } : {}),
            ...(input.expiresAt !== undefined ? { expiresAt: next.expiresAt } : {}),
            ...(next.endTokens ? { endedLiveTokens: true } : {}),
          },
        },
        ctx,
      );
    });
    return this.get(orgId, id);
  }

  /**
   * [A5] Issues a new secret; the previous one keeps working for `graceSeconds`. Any older secret
   * still in a grace window stops at once, so at most two are ever valid. The row lock makes
   * concurrent rotations of one account take turns.
   */
  async rotateSecret(actor: Actor, orgId: string, id: string, graceSeconds: number | undefined, ctx: RequestContext) {
    const grace = graceSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new ApiError('invalid_request', `graceSeconds must be an integer from 0 to ${MAX_GRACE_SECONDS}`);
    }
    const now = this.clock.now();
    const graceEndsAt = new Date(now.getTime() + grace * 1000);
    const clientSecret = generateSecret(SECRET_PREFIX.clientSecret);
    const secretId = newId('sec');
    let generation = 0;
    await this.change(orgId, id, async (tx) => {
      const previous = await serviceAccountStore.secrets(tx, id);
      generation = Math.max(0, ...previous.map((s) => s.generation)) + 1;
      const current = previous.find((s) => s.expiresAt === null);
      await serviceAccountStore.retireSecrets(tx, id, graceEndsAt, now);
      await serviceAccountStore.insertSecret(tx, id, { id: secretId, generation, hash: this.hasher.hash(clientSecret), createdAt: now });
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'service_account.rotate_secret',
          outcome: 'success',
          actor,
          target: { type: 'service_account', id },
          credential: secretId,
          detail: { generation, graceSeconds: grace, previousSecret: current?.id ?? null, previousSecretExpiresAt: current ? graceEndsAt : null },
        },
        ctx,
      );
    });
    return { clientSecret, secretId, generation, previousSecretExpiresAt: graceEndsAt, account: await this.get(orgId, id) };
  }

  /** [A7]: refuses new tokens and kills every live one (the token epoch moves on). */
  async disable(actor: Actor, orgId: string, id: string, ctx: RequestContext) {
    return this.setDisabled(actor, orgId, id, true, ctx);
  }

  /** [A7]: only tokens issued after re-enabling work; the epoch is not moved back. */
  async enable(actor: Actor, orgId: string, id: string, ctx: RequestContext) {
    return this.setDisabled(actor, orgId, id, false, ctx);
  }

  async delete(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
    await this.change(orgId, id, async (tx, account) => {
      await serviceAccountStore.delete(tx, id);
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'service_account.delete',
          outcome: 'success',
          actor,
          target: { type: 'service_account', id },
          detail: { name: account.name },
        },
        ctx,
      );
    });
  }

  private async setDisabled(actor: Actor, orgId: string, id: string, disable: boolean, ctx: RequestContext) {
    const now = this.clock.now();
    await this.change(orgId, id, async (tx, account) => {
      if ((account.disabledAt !== null) === disable) return; // already so: nothing to record
      await serviceAccountStore.setDisabled(tx, id, disable ? now : null, now);
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: disable ? 'service_account.disable' : 'service_account.enable',
          outcome: 'success',
          actor,
          target: { type: 'service_account', id },
        },
        ctx,
      );
    });
    return this.get(orgId, id);
  }

  /** Locks the account's row, applies `fn` in the same transaction, then refreshes principal state. */
  private async change(orgId: string, id: string, fn: (tx: Queryable, account: ServiceAccount) => Promise<void>): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        const account = await serviceAccountStore.findInOrg(tx, orgId, id, { forUpdate: true });
        if (!account) throw notFound('service account');
        await fn(tx, account);
      });
    } finally {
      this.states.invalidate(id);
    }
  }

  /** The console's view: only the secrets valid now, and never their hashes. */
  private present(account: ServiceAccount, secrets: ClientSecret[]): ServiceAccountView {
    const now = this.clock.now().getTime();
    return {
      ...account,
      secrets: secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > now).map(({ hash: _hash, ...rest }) => rest),
    };
  }

  private validExpiry(value: string | null | undefined): Date | null {
    if (value === undefined || value === null) return null;
    const d = requireTimestamp(value, 'expiresAt');
    if (d.getTime() <= this.clock.now().getTime()) throw new ApiError('invalid_request', 'expiresAt must be in the future');
    return d;
  }
}
