import { STATUS_CODES } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Duplex } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '../errors.js';

/**
 * Percent-encoding is checked strictly (RFC 3986 §2.1, UTF-8 per WHATWG URL): a lenient parser
 * keeps `%zz` as literal text, so a typo would silently become a different value (a client id, a
 * filter) instead of a 400 in the documented shape (§10).
 */
export function isWellFormedUrlEncoded(text: string): boolean {
  if (!text.includes('%')) return true;
  for (const part of text.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}

/** `application/x-www-form-urlencoded` bodies: strict decoding, repeated names become arrays. */
export function parseForm(body: string): Record<string, string | string[]> {
  if (!isWellFormedUrlEncoded(body)) throw new InvalidRequest('the form body holds a malformed percent-encoding');
  // node:querystring returns a null-prototype object, so a `__proto__` name is only a name.
  return { ...parseQueryString(body) } as Record<string, string | string[]>;
}

/** onRequest: a query string with a malformed percent-encoding is a 400, not a literal `%`. */
export async function rejectMalformedQuery(req: FastifyRequest): Promise<void> {
  const q = req.url.indexOf('?');
  if (q >= 0 && !isWellFormedUrlEncoded(req.url.slice(q + 1))) {
    throw new InvalidRequest('the query string holds a malformed percent-encoding');
  }
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request line or headers are too large (at most 16 KB)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive in time'],
};

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a URL over the 16 KB header
 * limit, a malformed request line) still answer in the documented shape (§10), not Fastify's
 * `{"error","message","statusCode"}`.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, description] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
