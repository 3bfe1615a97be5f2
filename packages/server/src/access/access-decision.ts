import type { Clock } from '../clock.js';
import { InvalidToken, InsufficientScope } from '../errors.js';
import type { AccessTokenClaims, AccessTokens } from '../tokens/access-tokens.js';
import { isActive, type PrincipalStates, type ServiceAccountState } from './principal-state.js';

/** The caller of a protected API, as decided at the moment of this call. */
export interface Principal {
  type: 'service_account';
  id: string;
  name: string;
  orgId: string;
  /** The scopes this call may use: those the token carries that the account still holds [A9]. */
  scopes: ReadonlySet<string>;
  tokenId: string;
}

/**
 * The one access decision (ARCHITECTURE property 2): bearer token → principal, or an error.
 * Verify the JWT (ES256 only, typ at+jwt, issuer, audience, expiry), then consult the principal's
 * current state: deleted, disabled or expired [A7] [A8], the token epoch, and the current scopes [A9].
 */
export class AccessDecision {
  /**
   * The principal last decided for a verified token, with the account state it was decided
   * from. State objects are replaced on every change, so identity tells whether it still holds.
   */
  private readonly decided = new WeakMap<AccessTokenClaims, { account: ServiceAccountState; principal: Principal }>();

  constructor(
    private readonly tokens: AccessTokens,
    private readonly states: PrincipalStates,
    private readonly clock: Clock,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const now = this.clock.now();
    const claims = await this.tokens.verify(token, now);
    this.states.assertFresh();
    if (!claims.sub.startsWith('svc_') || !claims.org_id) {
      throw new InvalidToken('this API accepts service-account tokens only');
    }
    const account = this.states.peek(claims.sub) ?? (await this.states.serviceAccount(claims.sub));
    if (!account || account.orgId !== claims.org_id) throw new InvalidToken('the service account no longer exists');
    // Checked on every call, cached decision or not: expiry moves with the clock.
    if (!isActive(account, now)) throw new InvalidToken('the service account is disabled or expired');
    const memo = this.decided.get(claims);
    if (memo?.account === account) return memo.principal;
    if (claims.epoch !== account.tokenEpoch) throw new InvalidToken('the access token was revoked');
    const scopes = new Set(claims.scope.split(' ').filter((s) => account.scopes.has(s)));
    const principal: Principal = { type: 'service_account', id: account.id, name: account.name, orgId: account.orgId, scopes, tokenId: claims.jti };
    this.decided.set(claims, { account, principal });
    return principal;
  }

  /** 403 naming the missing scope (§5). */
  static requireScope(principal: Principal, scope: string): void {
    if (!principal.scopes.has(scope)) throw new InsufficientScope(scope);
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
