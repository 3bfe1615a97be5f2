import type { PageBody } from '@gatehouse/contract';

/** `{"items": [...], "nextCursor": "..."}`: every list in the console API (§8). */
export type Page<T> = PageBody<T>;

/** A failed console API call: an HTTP error answer, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(description || code);
    this.name = 'ApiError';
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * The console API over fetch: the session cookie travels by itself (same origin), the CSRF token
 * from sign-in goes back as `X-CSRF-Token` on every state-changing call (§8), and every failure
 * becomes an ApiError so that pages can explain it.
 */
export class ConsoleApi {
  csrfToken: string | null = null;
  /** Called when a call answers 401: the session has ended. */
  onUnauthenticated: (() => void) | null = null;
  /** [P6] Called when an organization requires a second factor this person has not enrolled. */
  onEnrolmentRequired: (() => void) | null = null;

  constructor(private readonly fetchImpl: typeof fetch = (...args) => fetch(...args)) {}

  get<T>(path: string, query?: Record<string, string | number | undefined | null>): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (!SAFE.has(method) && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (!res.ok) {
      const code = typeof json?.error === 'string' ? json.error : `http_${res.status}`;
      const description = typeof json?.error_description === 'string' ? json.error_description : res.statusText;
      if (res.status === 401 && this.onUnauthenticated) this.onUnauthenticated();
      if (res.status === 403 && code === 'mfa_enrolment_required' && this.onEnrolmentRequired) this.onEnrolmentRequired();
      throw new ApiError(res.status, code, description);
    }
    return (text ? json : undefined) as T;
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** `path?k=v&...`, leaving out empty values. */
export function withQuery(path: string, query?: Record<string, string | number | undefined | null>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Every page of a list, following `nextCursor`, up to `max` items. */
export async function fetchAll<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  max = 10_000,
  onProgress?: (count: number) => void,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetchPage(cursor);
    items.push(...page.items);
    onProgress?.(items.length);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return { items: items.slice(0, max), truncated: Boolean(cursor) || items.length > max };
}
