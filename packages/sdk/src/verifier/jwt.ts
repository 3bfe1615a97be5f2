import crypto from 'node:crypto';
import { AccessDenied } from '../errors.js';

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
  /** The service account's organization (service-account tokens). */
  org_id?: string;
  /** [B8] organizations a user's token is narrowed to (absent: every organization of the user). */
  orgs?: string[];
  /** The principal's token epoch at minting: a disable or deactivation moves it on [A7] [B7]. */
  epoch: number;
}

export interface ParsedJwt {
  kid: string;
  signingInput: string;
  signature: Buffer;
  payload: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

export const invalid = (description = 'the access token is invalid'): AccessDenied => new AccessDenied(401, 'invalid_token', description);

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}

/**
 * JWS compact serialization (RFC 7515 §7.1), header checks first: ES256 only (RFC 9068 §4
 * allow-list; `none` and HMAC never get near a key), `typ` at+jwt (RFC 9068 §2.1), a `kid`, and
 * no `crit` extensions (§4.1.11: none are understood here, so any must be refused).
 */
export function parseJwt(token: string): ParsedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw invalid();
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 1 || second < first + 2 || token.indexOf('.', second + 1) !== -1 || second === token.length - 1) throw invalid();
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) throw invalid();
  const header = decodeJson(h);
  if (header.alg !== 'ES256') throw invalid('the access token is not signed with ES256');
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw invalid('the token is not an access token (typ at+jwt)');
  if (header.crit !== undefined) throw invalid();
  if (typeof header.kid !== 'string' || !header.kid) throw invalid();
  const signature = Buffer.from(s, 'base64url');
  if (signature.length !== 64) throw invalid(); // RFC 7518 §3.4: R || S, 32 bytes each
  return { kid: header.kid, signingInput: token.slice(0, second), signature, payload: p };
}

/** The signature (RFC 7518 §3.4, ECDSA P-256 SHA-256, raw R || S) with node:crypto. */
export function signatureValid(jwt: ParsedJwt, key: crypto.KeyObject): boolean {
  try {
    return crypto.verify('sha256', Buffer.from(jwt.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  } catch {
    return false;
  }
}

/** RFC 9068 §4 claim checks: issuer, audience, expiry (no leeway, as the server), and Gatehouse's own claims. */
export function checkClaims(jwt: ParsedJwt, expect: { issuer: string; audience: string }, nowSeconds: number): AccessTokenClaims {
  const c = decodeJson(jwt.payload);
  if (c.iss !== expect.issuer) throw invalid();
  const aud = c.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) throw invalid();
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number') throw invalid();
  if (c.exp <= nowSeconds) throw invalid('the access token has expired');
  if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > nowSeconds)) throw invalid();
  if (typeof c.sub !== 'string' || !c.sub || typeof c.jti !== 'string' || typeof c.client_id !== 'string') throw invalid();
  if (typeof c.scope !== 'string' || typeof c.epoch !== 'number') throw invalid();
  if (c.org_id !== undefined && typeof c.org_id !== 'string') throw invalid();
  if (c.orgs !== undefined && !(Array.isArray(c.orgs) && c.orgs.every((o) => typeof o === 'string'))) throw invalid();
  return c as unknown as AccessTokenClaims;
}
