import { AccessDenial } from '@gatehouse/access';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseUnavailableError, isConnectionError, isDataException, isUniqueViolation } from '../db/db.js';
import { isStorageFault } from '../db/storage-guard.js';
import { CLIENT_CHALLENGE, GatehouseError } from '../errors.js';
import type { OutageLog } from './outage-log.js';

/** Paths that speak RFC 6749 §5.2, where every client error must carry an OAuth error code. */
const isOAuthPath = (url: string): boolean => url.startsWith('/api/v1/auth/');

interface Mapped {
  status: number;
  code: string;
  description: string;
  headers: Record<string, string>;
}

/** Turns anything thrown into a status and a public error (ARCHITECTURE property 5). */
export function mapError(err: unknown, url: string): Mapped {
  if (err instanceof GatehouseError) {
    return { status: err.status, code: err.code, description: err.description, headers: err.headers() };
  }
  // §5, RFC 6750 §3: the access core's denial, answered as the core maps it.
  if (err instanceof AccessDenial) return { status: err.status, code: err.code, description: err.description, headers: err.headers() };
  // [R3] A full or read-only disk (either driver, or our free-space floor) is a 503 that ends by itself.
  if (isStorageFault(err)) {
    return {
      status: 503,
      code: 'temporarily_unavailable',
      description: 'the service cannot store data right now; retry later',
      headers: { 'retry-after': '30' },
    };
  }
  // A database outage is a 503, never an authentication failure.
  if (err instanceof DatabaseUnavailableError || isConnectionError(err)) {
    return {
      status: 503,
      code: 'temporarily_unavailable',
      description: 'the service is temporarily unavailable; retry shortly',
      headers: { 'retry-after': '1' },
    };
  }
  // Two writers raced for the same unique name or email: the loser gets a conflict, not a 500.
  if (isUniqueViolation(err))
    return { status: 409, code: 'conflict', description: 'this conflicts with an existing resource; retry or choose another name', headers: {} };
  const fe = err as Partial<FastifyError>;
  const oauth = isOAuthPath(url);
  const clientError = (status: number, apiCode: string, description: string): Mapped => ({
    status,
    code: oauth ? 'invalid_request' : apiCode,
    description,
    headers: {},
  });
  if (isDataException(err))
    return clientError(400, 'invalid_request', 'the request holds a value that cannot be stored (a NUL byte, or text that is not UTF-8)');
  if (fe.validation) return clientError(400, 'invalid_request', `invalid request: ${fe.message ?? 'validation failed'}`);
  switch (fe.code) {
    case 'FST_ERR_BAD_URL':
      return clientError(400, 'invalid_request', 'the URL path holds a malformed percent-encoding');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return clientError(413, 'payload_too_large', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return clientError(415, 'unsupported_media_type', `the content type must be application/json${oauth ? ' or application/x-www-form-urlencoded' : ''}`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return clientError(400, 'invalid_request', 'the request body is not valid JSON');
  }
  if (err instanceof SyntaxError || (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return clientError(fe.statusCode ?? 400, 'invalid_request', 'the request is malformed');
  }
  return { status: 500, code: 'server_error', description: 'an internal error occurred', headers: {} };
}

/** The one error serializer: `{"error", "error_description"}` everywhere, secrets never included. */
export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply, outages?: OutageLog): void {
  const mapped = mapError(err, request.url);
  // RFC 9110 §15.5.2: every 401 carries a challenge. Typed errors bring their own; this is the
  // backstop for anything else that answers 401.
  if (mapped.status === 401 && !mapped.headers['www-authenticate']) {
    mapped.headers = { ...mapped.headers, 'www-authenticate': isOAuthPath(request.url) ? CLIENT_CHALLENGE : 'Bearer realm="gatehouse"' };
  }
  if (mapped.status === 503 && outages) {
    outages.report(request.log, err); // an outage fails every request alike: one line per period, no stack
  } else if (mapped.status >= 500) {
    request.log.error({ err }, 'request failed');
  } else {
    const detail = err instanceof GatehouseError || err instanceof AccessDenial ? err.detail : undefined;
    request.log.info({ error: mapped.code, ...(detail ? { detail } : {}) }, mapped.description);
  }
  void reply
    .code(mapped.status)
    .headers({ 'cache-control': 'no-store', ...mapped.headers })
    .type('application/json; charset=utf-8')
    .send({ error: mapped.code, error_description: mapped.description });
}
