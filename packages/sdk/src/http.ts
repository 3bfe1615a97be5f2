/** Small HTTP helpers shared by the token clients and the verifier. */

export const TOKEN_PATH = '/api/v1/auth/token';
export const REVOKE_PATH = '/api/v1/auth/revoke';
export const JWKS_PATH = '/.well-known/jwks.json';
export const STATE_FEED_PATH = '/api/v1/state-feed';

const base = (url: string): string => {
  const u = new URL(url); // throws on a relative or malformed URL
  return u.toString().replace(/\/+$/, '');
};

export const tokenEndpointOf = (url: string): string => `${base(url)}${TOKEN_PATH}`;
export const revocationEndpointOf = (url: string): string => `${base(url)}${REVOKE_PATH}`;
export const jwksUriOf = (url: string): string => `${base(url)}${JWKS_PATH}`;
export const stateFeedUrlOf = (url: string): string => `${base(url)}${STATE_FEED_PATH}`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Exponential backoff with jitter: ~200 ms, 400 ms, 800 ms ... capped at 10 s. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(10_000, 200 * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** RFC 6749 §5.2 `{"error","error_description"}`, or something generic for other bodies. */
export async function readOAuthError(res: Response): Promise<{ code: string; description: string }> {
  const body = (await res.json().catch(() => null)) as { error?: unknown; error_description?: unknown } | null;
  const code = typeof body?.error === 'string' && /^[\w.-]{1,64}$/.test(body.error) ? body.error : `http_${res.status}`;
  const description = typeof body?.error_description === 'string' ? body.error_description.slice(0, 300) : res.statusText || 'request failed';
  return { code, description };
}
