import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '../errors.js';

/** Parameters that carry a credential; none of them may travel in a URL. */
const CREDENTIAL_PARAMETERS = ['client_secret', 'refresh_token', 'access_token', 'token', 'code', 'password', 'assertion'];

/**
 * RFC 6749 §2.3.1: the client secret MUST NOT be included in the request URI (and §3.2: the token
 * endpoint takes POST bodies). A URL ends up in proxy logs, browser history and Referer headers,
 * so a credential in the query string is refused, not quietly ignored, and the error names the
 * parameter but never echoes its value. (Our own log lines carry the path only: log-serializers.ts.)
 */
export async function refuseCredentialsInQuery(req: FastifyRequest): Promise<void> {
  const query = req.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return;
  const found = CREDENTIAL_PARAMETERS.filter((name) => Object.hasOwn(query, name));
  if (found.length) {
    throw new InvalidRequest(
      `credentials must not be sent in the URL (${found.join(', ')} in the query string); send them in the request body or the Authorization header`,
    );
  }
}
