import type { AccessTokenClaims } from './claims.js';

/** A service account calling an API, as decided at the moment of this call. */
export interface ServiceAccountPrincipal {
  readonly type: 'service_account';
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  /** [A9] The scopes this call may use: those the token carries that the account still holds. */
  readonly scopes: ReadonlySet<string>;
  readonly tokenId: string;
  readonly claims: Readonly<AccessTokenClaims>;
}

/** A person calling with an access token minted from their refresh token (§3). */
export interface UserPrincipal {
  readonly type: 'user';
  readonly id: string;
  /** The person's email. */
  readonly name: string;
  readonly tokenId: string;
  readonly claims: Readonly<AccessTokenClaims>;
  /**
   * [B6] [B8] The scopes this call may use in `orgId`: the token's scopes that the user's current
   * role there grants; null when the user holds no role there or the token was narrowed elsewhere.
   */
  scopesIn(orgId: string): ReadonlySet<string> | null;
}

export type Principal = ServiceAccountPrincipal | UserPrincipal;
export type PrincipalKind = Principal['type'];

/** Which kind of principal a token speaks for, from its subject; null for anything else. */
export function principalKind(claims: AccessTokenClaims): PrincipalKind | null {
  if (claims.sub.startsWith('svc_') && claims.org_id) return 'service_account';
  if (claims.sub.startsWith('usr_')) return 'user';
  return null;
}
