import { ROLE_TABLE, type Role } from '../catalogue/scopes.js';
import type { Clock } from '../clock.js';
import { InvalidToken, InsufficientScope, notFound } from '../errors.js';
import type { AccessTokenClaims, AccessTokens } from '../tokens/access-tokens.js';
import { isActive, type PrincipalStates, type ServiceAccountState, type UserState } from './principal-state.js';

/** A service account calling an API, as decided at the moment of this call. */
export interface ServiceAccountPrincipal {
  type: 'service_account';
  id: string;
  name: string;
  orgId: string;
  /** The scopes this call may use: those the token carries that the account still holds [A9]. */
  scopes: ReadonlySet<string>;
  tokenId: string;
}

/** A person calling an API with an access token minted from their refresh token (§3). */
export interface UserPrincipal {
  type: 'user';
  id: string;
  name: string;
  tokenId: string;
  /**
   * [B6] [B8] The scopes this call may use in `orgId`: the token's scopes that the user's current
   * role there grants, or null when the user holds no role there (or the token was narrowed to
   * other organizations).
   */
  scopesIn(orgId: string): ReadonlySet<string> | null;
}

export type Principal = ServiceAccountPrincipal | UserPrincipal;

/**
 * The one access decision (ARCHITECTURE property 2): bearer token → principal, or an error.
 * Verify the JWT (ES256 only, typ at+jwt, issuer, audience, expiry), then consult the principal's
 * current state: deleted, disabled, expired or deactivated [A7] [A8] [B7], the token epoch, the
 * current scopes [A9] and the current roles [B6].
 */
export class AccessDecision {
  /**
   * The principal last decided for a verified token, with the state it was decided from. State
   * objects are replaced on every change, so identity tells whether the decision still holds.
   */
  private readonly decided = new WeakMap<AccessTokenClaims, { state: ServiceAccountState | UserState; principal: Principal }>();

  constructor(
    private readonly tokens: AccessTokens,
    private readonly states: PrincipalStates,
    private readonly clock: Clock,
  ) {}

  /** [B9] `/api/v1/...` accepts service-account tokens only. */
  async authenticate(authorization: string | undefined): Promise<ServiceAccountPrincipal> {
    const principal = await this.authenticateAny(authorization);
    if (principal.type !== 'service_account') throw new InvalidToken('this API accepts service-account tokens only');
    return principal;
  }

  /** Any live token: a service account's, or a user's (`/sbom/v1/...`). */
  async authenticateAny(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const now = this.clock.now();
    const claims = await this.tokens.verify(token, now);
    this.states.assertFresh();
    if (claims.sub.startsWith('svc_') && claims.org_id) return this.serviceAccount(claims, now);
    if (claims.sub.startsWith('usr_')) return this.user(claims);
    throw new InvalidToken('the access token is invalid');
  }

  private async serviceAccount(claims: AccessTokenClaims, now: Date): Promise<ServiceAccountPrincipal> {
    const account = this.states.peek(claims.sub) ?? (await this.states.serviceAccount(claims.sub));
    if (!account || account.orgId !== claims.org_id) throw new InvalidToken('the service account no longer exists');
    // Checked on every call, cached decision or not: expiry moves with the clock.
    if (!isActive(account, now)) throw new InvalidToken('the service account is disabled or expired');
    const memo = this.decided.get(claims);
    if (memo?.state === account) return memo.principal as ServiceAccountPrincipal;
    if (claims.epoch !== account.tokenEpoch) throw new InvalidToken('the access token was revoked');
    const scopes = new Set(claims.scope.split(' ').filter((s) => account.scopes.has(s)));
    const principal: ServiceAccountPrincipal = {
      type: 'service_account', id: account.id, name: account.name, orgId: account.orgId, scopes, tokenId: claims.jti,
    };
    this.decided.set(claims, { state: account, principal });
    return principal;
  }

  private async user(claims: AccessTokenClaims): Promise<UserPrincipal> {
    const user = this.states.peekUser(claims.sub) ?? (await this.states.user(claims.sub));
    if (!user) throw new InvalidToken('the user no longer exists');
    const memo = this.decided.get(claims);
    if (memo?.state === user) return memo.principal as UserPrincipal;
    // [B7] a deactivation moves the epoch on: older tokens never work again.
    if (user.deactivated || claims.epoch !== user.tokenEpoch) throw new InvalidToken('the user is deactivated or the token was revoked');
    const ceiling = new Set(claims.scope.split(' '));
    const orgs = claims.orgs ? new Set(claims.orgs) : null;
    const byRole = new Map<Role, ReadonlySet<string>>();
    const principal: UserPrincipal = {
      type: 'user', id: user.id, name: user.email, tokenId: claims.jti,
      scopesIn(orgId) {
        const role = user.roles.get(orgId);
        if (!role || (orgs && !orgs.has(orgId))) return null;
        let scopes = byRole.get(role);
        if (!scopes) byRole.set(role, (scopes = new Set(ROLE_TABLE[role].scopes.filter((s) => ceiling.has(s)))));
        return scopes;
      },
    };
    this.decided.set(claims, { state: user, principal });
    return principal;
  }

  /**
   * An organization-scoped call (`/sbom/v1/orgs/{orgID}/...`): the scopes the principal may use
   * there, or 404 when it holds nothing there, so other tenants' existence does not leak (§5).
   */
  static scopesIn(principal: Principal, orgId: string): ReadonlySet<string> {
    const scopes = principal.type === 'service_account'
      ? (principal.orgId === orgId ? principal.scopes : null)
      : principal.scopesIn(orgId);
    if (!scopes) throw notFound('organization');
    return scopes;
  }

  /** 403 naming the missing scope (§5). */
  static requireScope(scopes: ReadonlySet<string>, scope: string): void {
    if (!scopes.has(scope)) throw new InsufficientScope(scope);
  }
}

/**
 * RFC 6750 §2.1: `Authorization: Bearer <b64token>`. Only the scheme and the absence of spaces are
 * checked here; anything else malformed fails JWT verification, with the same 401.
 */
function bearerToken(header: string | undefined): string {
  if (!header) throw new InvalidToken('a bearer token is required');
  const token = header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7).trimStart() : '';
  if (!token || token.includes(' ')) throw new InvalidToken('the Authorization header must be a bearer token');
  return token;
}
