import type { FastifyRequest } from 'fastify';
import { SECRET_PREFIX } from '../crypto/secrets.js';

/** Any server-issued secret in a URL: an invitation link's path, or a token pasted into a query. */
const SECRET_IN_URL = new RegExp(`(${Object.values(SECRET_PREFIX).join('|')})[A-Za-z0-9_-]+`, 'g');

export const redactUrl = (url: string): string => url.replace(SECRET_IN_URL, '$1[redacted]');

/**
 * §10: no secret in a log line. Fastify's request log carries the URL, and an invitation's secret
 * is in its URL ([P1] `/invite/ghinv_…`, `/console/api/invitations/ghinv_…`): the same fields as
 * Fastify's default request serializer, with secrets cut out of the URL.
 */
export function requestLogSerializer(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}
