import crypto from 'node:crypto';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, type AccessTokenClaims } from './claims.js';
import { invalidToken } from './denial.js';

/** A compact JWS split into what verification needs; the header is already checked. */
export interface ParsedJwt {
  kid: string;
  signingInput: string;
  signature: Buffer;
  payload: string;
}

/** What a token must be issued for (RFC 9068 §4). */
export interface JwtExpectations {
  issuer: string;
  /** One audience, or several (a catalogue of several APIs, [C3]): the token's `aud` must name one. */
  audience: string | readonly string[];
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken(undefined, 'a JWT part is not base64url JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidToken(undefined, 'a JWT part is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * JWS compact serialization (RFC 7515 §7.1), header checks first so that nothing unexpected gets
 * near a key: ES256 only (RFC 9068 §4 allow-list: `none` and HMAC never reach a key), `typ`
 * at+jwt (RFC 9068 §2.1, RFC 8725 §3.11), no `crit` (RFC 7515 §4.1.11: no extension is understood
 * here, so any must be refused), and a `kid`.
 */
export function parseJwt(token: string): ParsedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken(undefined, 'the token is too long');
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 1 || second < first + 2 || token.indexOf('.', second + 1) !== -1 || second === token.length - 1) {
    throw invalidToken(undefined, 'not a compact JWS');
  }
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) throw invalidToken(undefined, 'not base64url');
  const header = decodeJson(h);
  if (header.alg !== ACCESS_TOKEN_ALG) throw invalidToken('the access token is not signed with ES256');
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== ACCESS_TOKEN_TYP && typ !== `application/${ACCESS_TOKEN_TYP}`) throw invalidToken('the token is not an access token (typ at+jwt)');
  if (header.crit !== undefined) throw invalidToken(undefined, 'crit header present');
  if (typeof header.kid !== 'string' || !header.kid) throw invalidToken(undefined, 'no kid');
  const signature = Buffer.from(s, 'base64url');
  if (signature.length !== 64) throw invalidToken(undefined, 'not an ES256 signature'); // RFC 7518 §3.4: R || S, 32 bytes each
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

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * RFC 9068 §4 claim checks, no leeway: issuer, audience, expiry (RFC 7519 §4.1.4), not-before
 * (§4.1.5), issued-at (RFC 9068 §2.2 requires it), and Gatehouse's own claims' types.
 */
export function checkClaims(jwt: ParsedJwt, expect: JwtExpectations, nowSeconds: number): AccessTokenClaims {
  const c = decodeJson(jwt.payload);
  if (c.iss !== expect.issuer) throw invalidToken(undefined, 'wrong issuer');
  if (!audienceMatches(c.aud, expect.audience)) throw invalidToken(undefined, 'wrong audience');
  if (!isNumericDate(c.exp)) throw invalidToken(undefined, 'no exp');
  if (c.exp <= nowSeconds) throw invalidToken('the access token has expired');
  if (c.nbf !== undefined && (!isNumericDate(c.nbf) || c.nbf > nowSeconds)) throw invalidToken(undefined, 'not yet valid (nbf)');
  if (!isNumericDate(c.iat)) throw invalidToken(undefined, 'no iat');
  if (typeof c.sub !== 'string' || !c.sub || typeof c.jti !== 'string' || typeof c.client_id !== 'string')
    throw invalidToken(undefined, 'missing sub, jti or client_id');
  if (typeof c.scope !== 'string' || typeof c.epoch !== 'number') throw invalidToken(undefined, 'missing scope or epoch');
  if (c.org_id !== undefined && typeof c.org_id !== 'string') throw invalidToken(undefined, 'bad org_id');
  if (c.orgs !== undefined && !(Array.isArray(c.orgs) && c.orgs.every((o) => typeof o === 'string'))) throw invalidToken(undefined, 'bad orgs');
  return c as unknown as AccessTokenClaims;
}

/** RFC 7519 §4.1.3: `aud` (a string or an array of strings) names one of the accepted audiences. */
export function audienceMatches(aud: unknown, accepted: string | readonly string[]): boolean {
  const ok = (a: unknown) => typeof a === 'string' && (typeof accepted === 'string' ? a === accepted : accepted.includes(a));
  return ok(aud) || (Array.isArray(aud) && aud.some(ok));
}

/** Looks a signing key up by `kid`: synchronously when known, else (possibly) by fetching. */
export type KeyLookup = (kid: string) => crypto.KeyObject | undefined | Promise<crypto.KeyObject | undefined>;

/**
 * The whole JWT check: header allow-list, the signature with the issuer's key for `kid`, then the
 * claims. Throws an AccessDenial (401 invalid_token); never says which check failed to the caller.
 */
export async function verifyAccessToken(token: string, keys: KeyLookup, expect: JwtExpectations, nowSeconds: number): Promise<AccessTokenClaims> {
  const jwt = parseJwt(token);
  const found = keys(jwt.kid);
  const key = found instanceof Promise ? await found : found;
  if (!key) throw invalidToken(undefined, 'unknown kid');
  if (!signatureValid(jwt, key)) throw invalidToken(undefined, 'bad signature');
  return checkClaims(jwt, expect, nowSeconds);
}
