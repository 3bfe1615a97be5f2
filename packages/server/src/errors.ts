/**
 * Every error the server answers with, typed once (ARCHITECTURE property 5). Each carries its HTTP
 * status and a public description that stays generic; details go to the log (never secrets).
 * `http/error-handler.ts` is the one place that turns them into responses, all shaped
 * `{"error": code, "error_description": text}` as in RFC 6749 §5.2.
 */
export abstract class GatehouseError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
  constructor(
    readonly description: string,
    /** Logged, never sent to the client. */
    readonly detail?: string,
  ) {
    super(description);
  }
}

// ---- RFC 6749 §5.2: token endpoint errors -----------------------------------------------------

export class InvalidRequest extends GatehouseError {
  readonly code = 'invalid_request';
  readonly status = 400;
}

/** The token endpoint's challenge: HTTP Basic client authentication (RFC 6749 §2.3.1, RFC 7617). */
export const CLIENT_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

/**
 * 401, always with `WWW-Authenticate: Basic`: RFC 9110 §15.5.2 requires a challenge on every 401,
 * whichever method the client tried (RFC 6749 §5.2 only makes it explicit for Basic).
 */
export class InvalidClient extends GatehouseError {
  readonly code = 'invalid_client';
  readonly status = 401;
  override headers(): Record<string, string> {
    return { 'www-authenticate': CLIENT_CHALLENGE };
  }
}

export class InvalidGrant extends GatehouseError {
  readonly code = 'invalid_grant';
  readonly status = 400;
}

export class UnauthorizedClient extends GatehouseError {
  readonly code = 'unauthorized_client';
  readonly status = 400;
}

export class UnsupportedGrantType extends GatehouseError {
  readonly code = 'unsupported_grant_type';
  readonly status = 400;
}

export class InvalidScope extends GatehouseError {
  readonly code = 'invalid_scope';
  readonly status = 400;
}

/** RFC 8707 §2: the `resource` names no API of the catalogue, or is malformed or repeated. */
export class InvalidTarget extends GatehouseError {
  readonly code = 'invalid_target';
  readonly status = 400;
}

/** RFC 7009 §2.2.1: the server does not revoke this kind of token. */
export class UnsupportedTokenType extends GatehouseError {
  readonly code = 'unsupported_token_type';
  readonly status = 400;
}

// ---- RFC 6750 §3.1: protected resource errors --------------------------------------------------
// A refused API call is the access core's AccessDenial (@gatehouse/access): its status, body and
// WWW-Authenticate challenge are mapped there, once, for the server and the SDK verifier alike.

// ---- Console API and reference API (§7, §8): a closed set of codes ----------------------------

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_cursor'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_token_invalid'
  | 'password_change_required'
  | 'mfa_enrolment_required'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'server_error';

const API_STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  invalid_cursor: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_token_invalid: 403,
  // [P4] a generated password must be changed before any other console call
  password_change_required: 403,
  // [P6] An owner or admin of an organization requiring a second factor, without one.
  mfa_enrolment_required: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  server_error: 500,
};

/**
 * The console's challenge on its 401s (RFC 9110 §15.5.2 wants one on every 401). Cookies have no
 * registered HTTP authentication scheme; this follows the `Cookie` scheme of
 * draft-broyer-http-cookie-auth: sign in at `form-action` to get the session cookie.
 */
export const CONSOLE_CHALLENGE = 'Cookie realm="gatehouse", form-action="/console/api/session"';

export class ApiError extends GatehouseError {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    description: string,
    detail?: string,
  ) {
    super(description, detail);
    this.status = API_STATUS[code];
  }
  override headers(): Record<string, string> {
    return this.code === 'unauthenticated' ? { 'www-authenticate': CONSOLE_CHALLENGE } : {};
  }
}

export const notFound = (what = 'resource'): ApiError => new ApiError('not_found', `${what} not found`);

// ---- Shared -----------------------------------------------------------------------------------

/** 429 with Retry-After, for a client, an address or an account being rate limited. */
export class RateLimited extends GatehouseError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    description = 'too many requests; retry later',
  ) {
    super(description);
  }
  override headers(): Record<string, string> {
    return { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

/** 503: a dependency (the database, a fresh principal state) is not available. Never a 401. */
export class TemporarilyUnavailable extends GatehouseError {
  readonly code = 'temporarily_unavailable';
  readonly status = 503;
  override headers(): Record<string, string> {
    return { 'retry-after': '1' };
  }
}
