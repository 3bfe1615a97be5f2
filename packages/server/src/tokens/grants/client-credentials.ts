import { isActive, type PrincipalStates, type ServiceAccountState } from '../../access/principal-state.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { RequestContext } from '../../audit/events.js';
import { epochSeconds, type Clock } from '../../clock.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import type { ScopeCatalogue } from '../../catalogue/catalogue.js';
import { GatehouseError, InvalidClient } from '../../errors.js';
import { isId } from '../../ids.js';
import type { AccessTokens } from '../access-tokens.js';
import { SERVICE_ACCOUNT_TOKEN_SECONDS } from '../lifetimes.js';
import { settleScopes, type TokenRequest } from '../token-request.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * RFC 6749 §4.4 client credentials for service accounts, as small named steps: authenticate the
 * client, check it may hold tokens, settle the scope, mint, and audit (group-committed: the
 * response waits for the audit row's commit). Denials are audited too.
 */
export class ClientCredentialsGrant {
  constructor(
    private readonly states: PrincipalStates,
    private readonly hasher: SecretHasher,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly catalogue: ScopeCatalogue,
    /** Charges the client's own rate limit; called only once it has authenticated (TokenLimits). */
    private readonly onAuthenticated: (clientId: string) => void = () => {},
  ) {}

  /** Loads the claimed account's state unless it is cached (Grant.prepare). */
  prepare(req: TokenRequest): Promise<unknown> | null {
    const clientId = req.client?.clientId;
    if (!clientId || !isId(clientId, 'svc') || this.states.peekServiceAccount(clientId)) return null;
    return this.states.serviceAccount(clientId);
  }

  async handle(req: TokenRequest, ctx: RequestContext, proven: () => void = () => {}): Promise<TokenResponse> {
    this.states.assertFresh(); // a stale instance must not grant to a just-disabled account
    const now = this.clock.now();
    const client = req.client;
    if (!client) throw new InvalidClient('client authentication is required');

    const matching = (state: ServiceAccountState | null) =>
      state?.secrets.find((s) => (s.expiresAt === null || s.expiresAt.getTime() > now.getTime()) && this.hasher.matches(client.clientSecret, s.hash));
    // A cached account is read without awaiting: from the route's reservation to `proven` nothing
    // yields, so concurrent grants of one client never hold reservations at the same time.
    let account = isId(client.clientId, 'svc')
      ? (this.states.peekServiceAccount(client.clientId) ?? (await this.states.serviceAccount(client.clientId)))
      : null;
    let secret = matching(account);
    if (account && !secret) {
      // A secret just rotated on another instance may not have reached this one's cache yet: read
      // the account once more before refusing (coalesced per account, so wrong secrets cost at
      // most one database read at a time per account, on top of the per-client rate limit).
      account = await this.states.rereadServiceAccount(account.id);
      secret = matching(account);
    }
    if (!account || !secret) {
      if (!account) this.hasher.hash(client.clientSecret); // the same work whether or not the id exists
      return this.deny(account, client.clientId, ctx, new InvalidClient('client authentication failed', 'unknown client or wrong secret'));
    }
    this.onAuthenticated(account.id);
    proven();
    // [A7] [A8]: a disabled or expired account refuses new tokens.
    if (!isActive(account, now)) {
      return this.deny(account, client.clientId, ctx, new InvalidClient('client authentication failed', 'service account disabled or expired'), secret.id);
    }

    // [A4]: a subset may be asked for; anything outside the account's scopes is invalid_scope.
    // [C3] within the one API `resource` names (RFC 8707), by default the first.
    let settled: ReturnType<typeof settleScopes>;
    try {
      settled = settleScopes(this.catalogue, req.params, account.scopes, 'service account');
    } catch (err) {
      if (err instanceof GatehouseError) return this.deny(account, client.clientId, ctx, err, secret.id);
      throw err;
    }
    const { api, scopes } = settled;

    const expiryCap = account.expiresAt ? epochSeconds(account.expiresAt) - epochSeconds(now) : Infinity;
    const lifetime = Math.min(SERVICE_ACCOUNT_TOKEN_SECONDS, expiryCap);
    if (lifetime < 1) {
      return this.deny(account, client.clientId, ctx, new InvalidClient('client authentication failed', 'service account expires within a second'), secret.id);
    }
    const { token, claims } = this.tokens.mint({
      sub: account.id,
      clientId: account.id,
      scopes,
      lifetimeSeconds: lifetime,
      orgId: account.orgId,
      epoch: account.tokenEpoch,
      audience: api.audience,
    });
    // The token is signed (tokens/signer.ts) while its audit row commits; it leaves only after both.
    const audited = this.audit.groupCommit(
      {
        orgId: account.orgId,
        action: 'token.grant',
        outcome: 'success',
        actor: { type: 'service_account', id: account.id, name: account.name },
        target: { type: 'access_token', id: claims.jti },
        credential: secret.id,
        detail: { grantType: 'client_credentials', authMethod: client.method, scope: claims.scope, expiresIn: lifetime, secretGeneration: secret.generation },
      },
      ctx,
    );
    const [, accessToken] = await Promise.all([audited, token]);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope: claims.scope };
  }

  /** Audits a refused grant, then throws the error the client will see. */
  private async deny(account: ServiceAccountState | null, clientId: string, ctx: RequestContext, error: GatehouseError, credential?: string): Promise<never> {
    await this.audit.groupCommit(
      {
        orgId: account?.orgId ?? null,
        action: 'token.deny',
        outcome: 'failure',
        actor: account
          ? { type: 'service_account', id: account.id, name: account.name }
          : // Only a well-formed id is recorded: a secret pasted into client_id must not reach the log.
            { type: 'anonymous', ...(isId(clientId, 'svc') ? { id: clientId } : {}) },
        ...(credential ? { credential } : {}),
        detail: { grantType: 'client_credentials', error: error.code, reason: error.detail ?? error.description },
      },
      ctx,
    );
    throw error;
  }
}
