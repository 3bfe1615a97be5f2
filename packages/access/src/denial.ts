/**
 * A refused call, and how it is answered (§5, RFC 6750 §3): the one mapping from a denial to a
 * status, a JSON body `{"error", "error_description"}` and the `WWW-Authenticate` challenge, used
 * by the server's error handler and the SDK verifier alike.
 */
export type DenialStatus = 401 | 403 | 404 | 503;
export type DenialCode = 'invalid_token' | 'insufficient_scope' | 'access_denied' | 'not_found' | 'temporarily_unavailable';

export interface Denial {
  readonly status: DenialStatus;
  readonly code: DenialCode;
  /** Public and generic: never a token, a secret or a claim value. */
  readonly description: string;
  /** The scope the call needed (403 only). */
  readonly scope?: string;
}

/** The denial as an Error, so it can be thrown through a framework's hooks. */
export class AccessDenial extends Error implements Denial {
  override readonly name = 'AccessDenial';
  constructor(
    readonly status: DenialStatus,
    readonly code: DenialCode,
    readonly description: string,
    readonly scope?: string,
    /** For the operator's log only, never sent (and never a secret). */
    readonly detail?: string,
  ) {
    super(description);
  }

  headers(): Record<string, string> {
    return denialHeaders(this);
  }

  body(): { error: string; error_description: string } {
    return denialBody(this);
  }
}

/** 401 for a missing, malformed, expired, tampered or revoked token, or a disabled identity (§5). */
export const invalidToken = (description = 'the access token is invalid', detail?: string): AccessDenial =>
  new AccessDenial(401, 'invalid_token', description, undefined, detail);

/** 403 naming the scope the call needed (§5). */
export const insufficientScope = (scope: string): AccessDenial => new AccessDenial(403, 'insufficient_scope', `this call needs the scope ${scope}`, scope);

/**
 * [F2] 403 for a request that matches no route of the catalogue: deny by default. `access_denied`
 * as in RFC 6749 §4.1.2.1, and no challenge: no token would make this request acceptable.
 */
export const routeNotDeclared = (): AccessDenial => new AccessDenial(403, 'access_denied', 'no route of the catalogue matches this request; denied by default');

/** 404 for an organization the caller holds nothing in, so that other tenants do not leak (§5). */
export const organizationNotFound = (): AccessDenial => new AccessDenial(404, 'not_found', 'organization not found');

/** 503 when principal state cannot be trusted to be fresh: fail closed, never a 401. */
export const stateUnavailable = (description: string): AccessDenial => new AccessDenial(503, 'temporarily_unavailable', description);

/** RFC 6750 §3: `Bearer realm="gatehouse", error="...", ...`; quotes and backslashes are dropped from values. */
export const bearerChallenge = (params: Record<string, string>): string =>
  'Bearer realm="gatehouse", ' +
  Object.entries(params)
    .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`)
    .join(', ');

/** RFC 6750 §3 for 401 and insufficient_scope, RFC 9110 §10.2.3 `Retry-After` for 503. */
export function denialHeaders(d: Denial): Record<string, string> {
  if (d.status === 401 || d.code === 'insufficient_scope') {
    const params: Record<string, string> = { error: d.code, error_description: d.description };
    if (d.scope) params.scope = d.scope;
    return { 'www-authenticate': bearerChallenge(params) };
  }
  if (d.status === 503) return { 'retry-after': '1' };
  return {};
}

export const denialBody = (d: Denial): { error: string; error_description: string } => ({ error: d.code, error_description: d.description });
