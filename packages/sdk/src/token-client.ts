import { TokenRequestError } from './errors.js';
import { backoffMs, parseRetryAfter, readOAuthError, sleep as realSleep, tokenEndpointOf } from './http.js';

/** An access token and when it stops working (epoch milliseconds, by the client's clock). */
export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  /** When it was requested (epoch ms, the client's clock). */
  issuedAt: number;
  /** `Date.now()`-style milliseconds: the request's start plus `expires_in`, so never late. */
  expiresAt: number;
  scope: string;
}

/** What happened, for a caller's logs. Events never carry a secret or a token. */
export type TokenClientEvent =
  | { type: 'token'; expiresAt: number; scope: string }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'error'; code: string; status: number };

export interface TokenClientOptions {
  /** Gatehouse's base URL (its issuer), e.g. `https://gatehouse.example.com`. */
  url: string;
  /** Overrides `${url}/api/v1/auth/token`. */
  tokenEndpoint?: string;
  /** Ask for a subset of the credential's scopes (RFC 6749 §3.3); default: all of them. */
  scope?: string | readonly string[];
  /** Renew this many seconds before expiry (default 60). Capped at half the token's lifetime. */
  marginSeconds?: number;
  /** Attempts per renewal, the first included (default 5); 429, 5xx and network errors are retried. */
  maxAttempts?: number;
  /** A 429 or 503 asking to wait longer than this fails at once instead (default 120 s). */
  maxRetryAfterSeconds?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Injected for tests: the fetch to call, the clock (ms since the epoch), the sleep between retries. */
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Hear about renewals, retries and failures (no secrets in them). */
  onEvent?: (event: TokenClientEvent) => void;
}

/**
 * A cached access token for one credential. `getToken()` answers from the cache until `margin`
 * before expiry; then exactly one renewal runs however many callers are waiting (single-flight).
 * Renewals retry 429 after its Retry-After and 5xx/network errors with jittered exponential
 * backoff; a refused credential (400/401) fails at once. While the old token is still valid, a
 * renewal that fails for a retryable reason falls back to it.
 */
export abstract class TokenClient {
  private cached: AccessToken | undefined;
  private inflight: Promise<AccessToken> | null = null;
  private readonly endpoint: string;
  private readonly marginMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onEvent: ((event: TokenClientEvent) => void) | undefined;
  protected readonly scope: string | undefined;

  constructor(options: TokenClientOptions) {
    this.endpoint = options.tokenEndpoint ?? tokenEndpointOf(options.url);
    this.marginMs = (options.marginSeconds ?? 60) * 1000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 120) * 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.onEvent = options.onEvent;
    const scope = typeof options.scope === 'string' ? options.scope : options.scope?.join(' ');
    this.scope = scope || undefined;
  }

  /** The bearer token to send now. */
  async getToken(): Promise<string> {
    return (await this.token()).accessToken;
  }

  /** The current token with its expiry and scope, renewed when within the margin. */
  token(): Promise<AccessToken> {
    const cached = this.cached;
    const now = this.now();
    if (cached && now < cached.expiresAt - this.effectiveMargin(cached)) return Promise.resolve(cached);
    this.inflight ??= this.renew().finally(() => {
      this.inflight = null;
    });
    const renewal = this.inflight;
    if (!cached || now >= cached.expiresAt) return renewal;
    return renewal.catch((err: unknown) => {
      // Still valid and the server is only struggling: keep using the old token until it expires.
      if (err instanceof TokenRequestError && err.retryable && this.now() < cached.expiresAt) return cached;
      throw err;
    });
  }

  /** The cached token, if any, without renewing. */
  peek(): AccessToken | undefined {
    return this.cached;
  }

  /**
   * Forget the cached token (after a 401 from an API). With `token`, only if it is still the cached
   * one, so that many callers seeing the same 401 cause one renewal, not one each.
   */
  invalidate(token?: string): void {
    if (!token || this.cached?.accessToken === token) this.cached = undefined;
  }

  /** The grant's parameters (grant_type and credential), and the Authorization header if any. */
  protected abstract grant(): { params: Record<string, string>; authorization?: string };

  private effectiveMargin(token: AccessToken): number {
    return Math.min(this.marginMs, Math.max(0, (token.expiresAt - token.issuedAt) / 2));
  }

  private async renew(): Promise<AccessToken> {
    for (let attempt = 1; ; attempt++) {
      const started = this.now();
      let error: TokenRequestError;
      let delay: number | null = null;
      try {
        const res = await this.request();
        if (res.ok) {
          const token = await this.accept(res, started);
          this.cached = token;
          this.onEvent?.({ type: 'token', expiresAt: token.expiresAt, scope: token.scope });
          return token;
        }
        const { code, description } = await readOAuthError(res);
        const retryable = res.status === 429 || res.status >= 500;
        error = new TokenRequestError(code, res.status, description, retryable);
        if (retryable) delay = parseRetryAfter(res.headers.get('retry-after'), this.now());
      } catch (err) {
        if (err instanceof TokenRequestError) throw err;
        const reason = (err as Error).name === 'TimeoutError' ? 'the token endpoint did not answer in time' : 'could not reach the token endpoint';
        error = new TokenRequestError('network_error', 0, reason, true);
      }
      this.onEvent?.({ type: 'error', code: error.code, status: error.status });
      if (!error.retryable || attempt >= this.maxAttempts) throw error;
      const wait = delay ?? backoffMs(attempt);
      if (wait > this.maxRetryAfterMs) throw error;
      this.onEvent?.({ type: 'retry', attempt, delayMs: wait, reason: error.code });
      await this.sleep(wait);
    }
  }

  private request(): Promise<Response> {
    const { params, authorization } = this.grant();
    if (this.scope) params.scope = this.scope;
    return this.fetchImpl(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
  }

  private async accept(res: Response, started: number): Promise<AccessToken> {
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    const accessToken = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new TokenRequestError('invalid_response', res.status, 'the token endpoint answered without an access_token and expires_in', false);
    }
    if (typeof body?.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
      throw new TokenRequestError('invalid_response', res.status, 'the token endpoint answered with a token type other than Bearer', false);
    }
    return {
      accessToken,
      tokenType: 'Bearer',
      issuedAt: started,
      expiresAt: started + expiresIn * 1000,
      scope: typeof body.scope === 'string' ? body.scope : (this.scope ?? ''),
    };
  }
}

export interface ServiceAccountTokenClientOptions extends TokenClientOptions {
  /** The service account's id (`svc_...`), which is its OAuth client_id. */
  clientId: string;
  clientSecret: string;
  /** RFC 6749 §2.3.1: HTTP Basic (default) or client_secret in the body. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** [A3] client credentials (RFC 6749 §4.4) for a service account; tokens live 900 s. */
export class ServiceAccountTokenClient extends TokenClient {
  readonly clientId: string;
  // A private field: util.inspect, console.log and JSON.stringify of the client never show it.
  readonly #clientSecret: string;
  readonly #authMethod: 'client_secret_basic' | 'client_secret_post';

  constructor(options: ServiceAccountTokenClientOptions) {
    super(options);
    if (!options.clientId || !options.clientSecret) throw new TypeError('clientId and clientSecret are required');
    this.clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#authMethod = options.authMethod ?? 'client_secret_basic';
  }

  protected grant(): { params: Record<string, string>; authorization?: string } {
    if (this.#authMethod === 'client_secret_post') {
      return { params: { grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.#clientSecret } };
    }
    // RFC 6749 §2.3.1: each part is form-urlencoded before the base64 of RFC 7617.
    const form = (s: string) => new URLSearchParams({ s }).toString().slice(2);
    const basic = Buffer.from(`${form(this.clientId)}:${form(this.#clientSecret)}`).toString('base64');
    return { params: { grant_type: 'client_credentials' }, authorization: `Basic ${basic}` };
  }
}

export interface RefreshTokenClientOptions extends TokenClientOptions {
  /** A personal refresh token (`gatehouse login` or the console); it is not rotated by use [B3]. */
  refreshToken: string;
}

/** [B3] the refresh_token grant (RFC 6749 §6); a user's access tokens live 3600 s. */
export class RefreshTokenClient extends TokenClient {
  readonly #refreshToken: string;

  constructor(options: RefreshTokenClientOptions) {
    super(options);
    if (!options.refreshToken) throw new TypeError('refreshToken is required');
    this.#refreshToken = options.refreshToken;
  }

  protected grant(): { params: Record<string, string> } {
    return { params: { grant_type: 'refresh_token', refresh_token: this.#refreshToken } };
  }
}
