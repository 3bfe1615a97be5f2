import { denialBody, denialHeaders, type Denial, type DenialCode, type DenialStatus } from '@gatehouse/access';

/**
 * The SDK's errors. Messages carry the server's public error code and description and never a
 * secret: not the client secret, not the refresh token, not an access token.
 */
export class GatehouseError extends Error {
  override readonly name: string = 'GatehouseError';
}

/** The token endpoint refused the request (RFC 6749 §5.2), or kept failing until retries ran out. */
export class TokenRequestError extends GatehouseError {
  override readonly name = 'TokenRequestError';
  constructor(
    /** The OAuth error code (`invalid_client`, `invalid_grant`, `rate_limited`, ...) or `network_error`. */
    readonly code: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly description: string,
    /** Whether retrying later could succeed (429, 5xx, network); false for a refused credential. */
    readonly retryable: boolean,
  ) {
    super(`${code}${status ? ` (HTTP ${status})` : ''}: ${description}`);
  }
}

/**
 * A request refused by the verifier, ready to be answered: 401 invalid_token, 403
 * insufficient_scope, 404 (an organization the caller holds nothing in, so tenants do not leak),
 * or 503 when the principal state cannot be trusted to be fresh (fail closed). Its status, body
 * and headers are the access core's mapping, the same the Gatehouse server answers with.
 */
export class AccessDenied extends GatehouseError implements Denial {
  override readonly name = 'AccessDenied';
  constructor(
    readonly status: DenialStatus,
    readonly code: DenialCode,
    readonly description: string,
    /** The scope the call needed (403 only). */
    readonly scope?: string,
  ) {
    super(description);
  }

  /** The access core's denial, as the SDK's error. */
  static from(denial: Denial): AccessDenied {
    return new AccessDenied(denial.status, denial.code, denial.description, denial.scope);
  }

  /** Response headers per RFC 6750 §3 (WWW-Authenticate) and RFC 9110 (Retry-After on 503). */
  headers(): Record<string, string> {
    return denialHeaders(this);
  }

  /** The JSON body Gatehouse itself answers with: `{"error", "error_description"}`. */
  body(): { error: string; error_description: string } {
    return denialBody(this);
  }
}
