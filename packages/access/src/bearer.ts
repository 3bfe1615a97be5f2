import { invalidToken } from './denial.js';

/**
 * RFC 6750 §2.1: `Authorization: Bearer <b64token>`, the scheme case-insensitive (RFC 9110 §11.1).
 * Only the scheme and the absence of spaces are checked here; anything else malformed fails JWT
 * verification, with the same 401. The one bearer parser of the server and the SDK.
 */
export function parseBearer(header: string | undefined): string {
  if (!header) throw invalidToken('a bearer token is required');
  const token = header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7).trimStart() : '';
  if (!token || token.includes(' ')) throw invalidToken('the Authorization header must be a bearer token');
  return token;
}

/** The bearer credential, or '' when there is none (for routes that answer 404 rather than 401). */
export function bearerOrEmpty(header: string | undefined): string {
  try {
    return parseBearer(header);
  } catch {
    return '';
  }
}
