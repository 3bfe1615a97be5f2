import { parse as parseQueryString } from 'node:querystring';
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
