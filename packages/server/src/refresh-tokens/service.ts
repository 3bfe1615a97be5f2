import crypto from 'node:crypto';
import type { PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Actor, AuditEvent, RequestContext } from '../audit/events.js';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Clock } from '../clock.js';
import { SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { validName } from '../names.js';
import { expiresAt, refreshTokenStore, type RefreshToken } from './store.js';

export interface CreateInput {
  name: string;
  scopes?: string[];
  orgIds?: string[];
}

/** A refresh token as the console shows it: never the token string, never its hash. */
export type RefreshTokenView = Pick<RefreshToken, 'id' | 'name' | 'scopes' | 'orgIds' | 'createdAt' | 'lastUsedAt'> & { expiresAt: Date };

/** The parts of a refresh token that never change after creation: safe to cache. */
export type RefreshTokenIdentity = Pick<RefreshToken, 'id' | 'userId' | 'name' | 'hash' | 'scopes' | 'orgIds'>;

const ULID_LENGTH = 26;
const CACHE_LIMIT = 100_000;

/**
 * The token string is `ghrt_<ULID>_<256 random bits>`: the prefix lets secret scanners find leaked
 * tokens, and the embedded id (`rt_<ULID>`) lets the server find the row without an index on the
 * hash. Only a keyed hash of the whole string is stored.
 */
export function parseRefreshToken(token: string): { id: string } | null {
  const p = SECRET_PREFIX.refreshToken;
  if (!token.startsWith(p) || token.length !== p.length + ULID_LENGTH + 1 + 43 || token[p.length + ULID_LENGTH] !== '_') return null;
  const ulid = token.slice(p.length, p.length + ULID_LENGTH);
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(ulid) ? { id: `rt_${ulid}` } : null;
}

/**
 * Credential model B (§3): a user's refresh tokens. Creation and revocation commit with their
 * audit events. Use (the refresh_token grant) is in tokens/grants/refresh-token.ts.
 */
export class RefreshTokenService {
  /** Immutable token facts by id, so a grant needs no read; revocation and expiry are checked at commit. */
  private readonly identities = new Map<string, RefreshTokenIdentity>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly audit: AuditLog,
    private readonly states: PrincipalStates,
    /** [A1] [B8] scopes are drawn only from the loaded catalogue. */
    private readonly catalogue: ScopeCatalogue,
  ) {}

  /** [B1] [B8]: the token string is in this return value and nowhere else, ever. */
  async create(actor: Actor & { id: string }, input: CreateInput, ctx: RequestContext) {
    const now = this.clock.now();
    const name = validName(input.name);
    const scopes = input.scopes === undefined ? null : this.catalogue.validScopes(input.scopes);
    const user = await this.states.user(actor.id);
    if (!user) throw new ApiError('unauthenticated', 'sign in to use the console API');
    let orgIds: string[] | null = null;
    if (input.orgIds !== undefined) {
      orgIds = [...new Set(input.orgIds)];
      if (orgIds.length === 0) throw new ApiError('invalid_request', 'orgIds must not be empty; omit it to reach every organization');
      const foreign = orgIds.filter((o) => !user.roles.has(o));
      if (foreign.length) throw new ApiError('invalid_request', `orgIds must be organizations you belong to: ${foreign.join(', ')}`);
    }
    const id = newId('rt');
    const refreshToken = `${SECRET_PREFIX.refreshToken}${id.slice(3)}_${crypto.randomBytes(32).toString('base64url')}`;
    const token = { id, userId: actor.id, name, hash: this.hasher.hash(refreshToken), scopes, orgIds, createdAt: now };
    await this.db.transaction(async (tx) => {
      await refreshTokenStore.insert(tx, token);
      await this.audit.manyInTransaction(
        tx,
        this.events(user.roles.keys(), orgIds, {
          action: 'refresh_token.create',
          outcome: 'success',
          actor,
          target: { type: 'refresh_token', id },
          detail: { name, scopes, orgIds },
        }),
        ctx,
      );
    });
    return { ...present({ ...token, lastUsedAt: null }), refreshToken };
  }

  async list(userId: string, after: string | null, limit: number): Promise<RefreshTokenView[]> {
    return (await refreshTokenStore.listActive(this.db, userId, this.clock.now(), after, limit)).map(present);
  }

  /** Console revocation of one of the signed-in user's own tokens; anyone else's is 404. */
  async revokeOwn(actor: Actor & { id: string }, id: string, ctx: RequestContext): Promise<void> {
    const token = await refreshTokenStore.find(this.db, id);
    if (!token || token.userId !== actor.id || token.revokedAt) throw notFound('refresh token');
    await this.revoke(token, actor, 'console', ctx);
  }

  /**
   * RFC 7009 §2: revocation by the token's holder, with the token as its own proof. Unknown,
   * malformed or already revoked tokens change nothing and are not an error (§2.2).
   */
  async revokeByToken(tokenString: string, ctx: RequestContext): Promise<void> {
    const identity = await this.identify(tokenString);
    if (!identity) return;
    const user = await this.states.user(identity.userId);
    const token = await refreshTokenStore.find(this.db, identity.id);
    if (!token || token.revokedAt) return;
    await this.revoke(token, { type: 'user', id: identity.userId, ...(user ? { name: user.email } : {}) }, 'rfc7009', ctx);
  }

  /** The token's immutable facts if `tokenString` is a genuine refresh token (revoked or not). */
  async identify(tokenString: string): Promise<RefreshTokenIdentity | null> {
    const known = this.peekIdentity(tokenString);
    if (known !== undefined) return known;
    // Well-formed, then (peekIdentity answers null for a malformed token), and not cached: read it.
    const row = await refreshTokenStore.find(this.db, parseRefreshToken(tokenString)!.id);
    if (!row) return null;
    if (this.identities.size >= CACHE_LIMIT) this.identities.clear();
    this.identities.set(row.id, { id: row.id, userId: row.userId, name: row.name, hash: row.hash, scopes: row.scopes, orgIds: row.orgIds });
    return this.peekIdentity(tokenString) ?? null;
  }

  /** Whether `identify` would read the database: a well-formed token whose facts are not cached. */
  needsRead(tokenString: string): boolean {
    const parsed = parseRefreshToken(tokenString);
    return parsed !== null && !this.identities.has(parsed.id);
  }

  /**
   * `identify` when it needs no database read: the identity, or null for a malformed token or one
   * that does not match its cached facts; undefined when the facts are not cached (identify reads them).
   */
  peekIdentity(tokenString: string): RefreshTokenIdentity | null | undefined {
    const parsed = parseRefreshToken(tokenString);
    if (!parsed) return null;
    const identity = this.identities.get(parsed.id);
    if (!identity) return undefined;
    return this.hasher.matches(tokenString, identity.hash) ? identity : null;
  }

  /**
   * One audit event per organization the token reaches (the user's organizations, narrowed by
   * [B8]), so each organization's admins see its use; a user in none gets one event with no org.
   */
  events(userOrgs: Iterable<string>, orgIds: readonly string[] | null, event: Omit<AuditEvent, 'orgId'>): AuditEvent[] {
    const reached = [...userOrgs].filter((o) => !orgIds || orgIds.includes(o));
    return (reached.length ? reached : [null]).map((orgId) => ({ ...event, orgId }));
  }

  private async revoke(token: RefreshToken, actor: Actor, via: string, ctx: RequestContext): Promise<void> {
    const user = await this.states.user(token.userId);
    await this.db.transaction(async (tx) => {
      if (!(await refreshTokenStore.revoke(tx, token.id, this.clock.now(), actor.id ?? 'unknown'))) return;
      await this.audit.manyInTransaction(
        tx,
        this.events(user?.roles.keys() ?? [], token.orgIds, {
          action: 'refresh_token.revoke',
          outcome: 'success',
          actor,
          target: { type: 'refresh_token', id: token.id },
          detail: { name: token.name, via },
        }),
        ctx,
      );
    });
  }
}

const present = (t: Omit<RefreshToken, 'revokedAt'> | RefreshToken): RefreshTokenView => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  orgIds: t.orgIds,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  expiresAt: expiresAt(t),
});
