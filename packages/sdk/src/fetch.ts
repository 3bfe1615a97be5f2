/** Anything that hands out bearer tokens: both token clients qualify. */
export interface BearerSource {
  getToken(): Promise<string>;
  invalidate(token?: string): void;
}

export interface BearerFetchOptions {
  /**
   * Resolve relative paths against this URL, and refuse to send the bearer to any other origin
   * (an absolute URL elsewhere throws instead of leaking the token).
   */
  baseUrl?: string;
  /** The fetch to wrap (default: the global one). */
  fetch?: typeof fetch;
}

export type BearerFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Bodies that can be sent twice; a stream cannot, so a call with one is not retried. */
const replayable = (body: RequestInit['body']): boolean =>
  body == null ||
  typeof body === 'string' ||
  body instanceof URLSearchParams ||
  body instanceof ArrayBuffer ||
  ArrayBuffer.isView(body) ||
  body instanceof Blob ||
  body instanceof FormData;

/**
 * A `fetch` that sends `Authorization: Bearer <token>` from `source`, and on a 401 forgets that
 * token and retries once with a fresh one (RFC 6750 §3.1: the token may have been invalidated,
 * e.g. by a disable followed by a re-enable). A second 401 is returned to the caller as it is.
 */
export function createBearerFetch(source: BearerSource, options: BearerFetchOptions = {}): BearerFetch {
  const fetchImpl = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => fetch(input, init));
  const origin = options.baseUrl ? new URL(options.baseUrl).origin : null;

  return async (input, init = {}) => {
    const target = input instanceof Request ? input : new URL(String(input), options.baseUrl);
    const url = new URL(target instanceof Request ? target.url : target.toString());
    if (origin && url.origin !== origin) {
      throw new TypeError(`refusing to send the Gatehouse bearer token to ${url.origin} (only to ${origin})`);
    }
    const template = target instanceof Request ? target.clone() : null;
    const canRetry = replayable(init.body);

    const send = (token: string, request: Request | URL): Promise<Response> => {
      const headers = new Headers(request instanceof Request ? request.headers : undefined);
      new Headers(init.headers).forEach((value, key) => {
        headers.set(key, value);
      });
      headers.set('authorization', `Bearer ${token}`);
      return fetchImpl(request, { ...init, headers });
    };

    const token = await source.getToken();
    const res = await send(token, target);
    if (res.status !== 401 || !canRetry) return res;
    source.invalidate(token);
    const fresh = await source.getToken();
    await res.body?.cancel().catch(() => {});
    return send(fresh, template ?? target);
  };
}
