import type { PrincipalStates } from '../../access/principal-state.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Actor, AuditEvent, RequestContext } from '../../audit/events.js';
import { toAuditRow, type AuditRow } from '../../audit/store.js';
import type { ScopeCatalogue } from '../../catalogue/catalogue.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/db.js';
import { GroupCommit } from '../../db/group-commit.js';
import { GatehouseError, InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../errors.js';
import type { RefreshTokenIdentity, RefreshTokenService } from '../../refresh-tokens/service.js';
import { refreshTokenStore } from '../../refresh-tokens/store.js';
import type { AccessTokens } from '../access-tokens.js';
import { USER_TOKEN_SECONDS } from '../lifetimes.js';
import { settleScopes, type TokenRequest } from '../token-request.js';
import type { TokenResponse } from './client-credentials.js';

/** One message for every unusable refresh token, so the answer does not tell them apart [B5]. */
const UNUSABLE = 'the refresh token is invalid, revoked or expired';

interface Use {
  tokenId: string;
  at: Date;
  /** Audit rows written if the use is allowed at commit, and the builder of those if it is not. */
  granted: AuditRow[];
  refused: (reason: string) => AuditRow[];
}

/**
 * RFC 6749 §6 refreshing an access token, for personal refresh tokens (§3). The refresh token is
 * its own proof: no client authentication. It is not rotated [B3]. Each use is group-committed:
 * one transaction records every use in the batch (moving `last_used_at` forward [B4]) together
 * with the audit rows, and a use whose token was revoked or went idle by then is refused — the
 * minted token is dropped unseen, so nothing is handed out after a revocation has answered.
 */
export class RefreshTokenGrant {
  private readonly uses: GroupCommit<Use, boolean>;

  constructor(
    db: Db,
    private readonly refreshTokens: RefreshTokenService,
    private readonly states: PrincipalStates,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly catalogue: ScopeCatalogue,
  ) {
    this.uses = new GroupCommit((batch) =>
      db.transaction(async (tx) => {
        const allowed = await refreshTokenStore.recordUses(tx, batch);
        const refusedIds = [...new Set(batch.filter((u) => !allowed.has(u.tokenId)).map((u) => u.tokenId))];
        const reasons = new Map<string, string>();
        for (const id of refusedIds) reasons.set(id, refusalReason(await refreshTokenStore.find(tx, id)));
        await this.audit.rowsInTransaction(
          tx,
          batch.flatMap((u) => (allowed.has(u.tokenId) ? u.granted : u.refused(reasons.get(u.tokenId)!))),
          { gated: true },
        );
        return batch.map((u) => allowed.has(u.tokenId));
      }),
    );
  }

  /** Reads the presented token's facts unless they are cached (Grant.prepare). */
  prepare(req: TokenRequest): Promise<unknown> | null {
    const presented = req.params.refresh_token;
    if (!presented || req.client?.clientSecret || !this.refreshTokens.needsRead(presented)) return null;
    return this.refreshTokens.identify(presented);
  }

  async handle(req: TokenRequest, ctx: RequestContext, proven: () => void = () => {}): Promise<TokenResponse> {
    this.states.assertFresh(); // a stale instance must not grant to a just-deactivated user
    const now = this.clock.now();
    // Refresh tokens belong to people, not clients; a service account's secret has no place here.
    if (req.client?.clientSecret) throw new UnauthorizedClient('the refresh_token grant takes no client secret; service accounts use client_credentials');
    const presented = req.params.refresh_token;
    if (!presented) throw new InvalidRequest('refresh_token is required');

    // Cached facts are read without awaiting: from the route's reservation to `proven` nothing
    // yields, so one person's concurrent refreshes never hold reservations at the same time.
    const known = this.refreshTokens.peekIdentity(presented);
    const token = known !== undefined ? known : await this.refreshTokens.identify(presented);
    if (!token) return this.deny(null, null, ctx, new InvalidGrant(UNUSABLE, 'unknown refresh token'));
    proven(); // a real refresh token is no guess, whatever its state turns out to be
    const user = await this.states.user(token.userId);
    // [B7] a deactivated user's refresh tokens stop working (deactivation also revokes them).
    if (!user || user.deactivated) return this.deny(token, user && [...user.roles.keys()], ctx, new InvalidGrant(UNUSABLE, 'user deactivated'));
    const actor: Actor = { type: 'user', id: user.id, name: user.email };

    // RFC 6749 §6: a narrower scope may be asked for, never a wider one; [B8] caps it; [C3] within
    // the one API `resource` names (RFC 8707), by default the first.
    let settled: ReturnType<typeof settleScopes>;
    try {
      settled = settleScopes(this.catalogue, req.params, token.scopes ?? this.catalogue.scopes, 'refresh token');
    } catch (err) {
      if (err instanceof GatehouseError) return this.deny(token, [...user.roles.keys()], ctx, err);
      throw err;
    }
    const { api, scopes } = settled;
    // Signed off the request thread (tokens/signer.ts) while the use commits.
    const { token: signing, claims } = this.tokens.mint({
      sub: user.id,
      clientId: token.id,
      scopes,
      lifetimeSeconds: USER_TOKEN_SECONDS,
      epoch: user.tokenEpoch,
      audience: api.audience,
      ...(token.orgIds ? { orgs: token.orgIds } : {}),
    });
    const event = (outcome: 'success' | 'failure', detail: Record<string, unknown>): Omit<AuditEvent, 'orgId'> => ({
      action: outcome === 'success' ? 'token.grant' : 'token.deny',
      outcome,
      actor,
      target: outcome === 'success' ? { type: 'access_token', id: claims.jti } : { type: 'refresh_token', id: token.id },
      credential: token.id,
      detail: { grantType: 'refresh_token', ...detail },
    });
    const rows = (e: Omit<AuditEvent, 'orgId'>) => this.refreshTokens.events(user.roles.keys(), token.orgIds, e).map((ev) => toAuditRow(ev, ctx, now));
    const [allowed, accessToken] = await Promise.all([
      this.uses.submit({
        tokenId: token.id,
        at: now,
        granted: rows(event('success', { scope: claims.scope, expiresIn: USER_TOKEN_SECONDS })),
        refused: (reason) => rows(event('failure', { error: 'invalid_grant', reason })),
      }),
      signing,
    ]);
    if (!allowed) throw new InvalidGrant(UNUSABLE);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: USER_TOKEN_SECONDS, scope: claims.scope };
  }

  /** Resolves when every use submitted so far is committed (shutdown, tests). */
  drain(): Promise<void> {
    return this.uses.drain();
  }

  /** Audits a refused grant, then throws the error the client will see. */
  private async deny(token: RefreshTokenIdentity | null, userOrgs: string[] | null, ctx: RequestContext, error: GatehouseError): Promise<never> {
    const detail = { grantType: 'refresh_token', error: error.code, reason: error.detail ?? error.description };
    const events: AuditEvent[] = token
      ? this.refreshTokens.events(userOrgs ?? [], token.orgIds, {
          action: 'token.deny',
          outcome: 'failure',
          actor: { type: 'user', id: token.userId },
          target: { type: 'refresh_token', id: token.id },
          credential: token.id,
          detail,
        })
      : // An unknown token names no one; its string is never recorded.
        [{ orgId: null, action: 'token.deny', outcome: 'failure', actor: { type: 'anonymous' }, detail }];
    await Promise.all(events.map((e) => this.audit.groupCommit(e, ctx)));
    throw error;
  }
}

/** Why a use was refused at commit, for the audit log (the rare path: one read per refused token). */
function refusalReason(token: { revokedAt: Date | null } | null): string {
  if (!token) return 'refresh token deleted';
  return token.revokedAt ? 'refresh token revoked' : 'refresh token expired (unused for 365 days)';
}
