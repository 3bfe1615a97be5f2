/** RFC 9068 §2.2 claims of a Gatehouse access token, plus its organization and token epoch. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  nbf?: number;
  /** The service account's organization (service-account tokens only). */
  org_id?: string;
  /** [B8] The organizations a user's token was narrowed to (user tokens only; absent = all). */
  orgs?: string[];
  /** The principal's token epoch when minted; a disable or deactivation moves it on [A7] [B7]. */
  epoch: number;
}

/** RFC 9068 §2.1 header type of a JWT access token. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** The one signing algorithm (RFC 9068 §4: an allow-list, never the token's say). */
export const ACCESS_TOKEN_ALG = 'ES256';
