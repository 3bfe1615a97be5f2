import { createBearerFetch, RefreshTokenClient, ServiceAccountTokenClient, TokenRequestError, type BearerSource, type TokenClient } from '@gatehouse/sdk';
import { cachedToken, cacheKey, cacheToken, loadCredentials, type CachedToken } from './credentials.js';
import { CliError } from './errors.js';
import type { Io } from './io.js';

/** Renew a cached token this long before it expires (the SDK's default margin). */
const MARGIN_MS = 60_000;

export interface AccessOptions {
  url?: string;
  clientId?: string;
  scope?: string;
}

/** `--url`, then GATEHOUSE_URL, then the URL `gatehouse login` stored. */
export function resolveUrl(io: Io, flag: string | undefined, missing = 'no Gatehouse URL: pass --url, set GATEHOUSE_URL, or run `gatehouse login`'): string {
  const url = flag ?? io.env.GATEHOUSE_URL ?? loadCredentials(io.env)?.url;
  if (!url) throw new CliError(missing);
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    throw new CliError(`not an http(s) URL: ${url}`);
  }
  return url.replace(/\/+$/, '');
}

/**
 * The credential to use: a service account (`--client-id` with GATEHOUSE_CLIENT_SECRET), else a
 * refresh token (GATEHOUSE_REFRESH_TOKEN, else the one `gatehouse login` stored). Access tokens
 * are cached on disk (mode 0600) between invocations until a minute before they expire.
 */
export class CliAccess implements BearerSource {
  private readonly client: TokenClient;
  private readonly key: string;
  private skipCache = false;
  readonly url: string;
  private readonly kind: 'service_account' | 'refresh_token';

  constructor(
    private readonly io: Io,
    options: AccessOptions,
  ) {
    if (!options.clientId && !io.env.GATEHOUSE_REFRESH_TOKEN && !loadCredentials(io.env)) {
      throw new CliError('not signed in: run `gatehouse login`, set GATEHOUSE_REFRESH_TOKEN, or use --client-id');
    }
    this.url = resolveUrl(io, options.url);
    const scope = options.scope;
    if (options.clientId) {
      const clientSecret = io.env.GATEHOUSE_CLIENT_SECRET;
      if (!clientSecret) throw new CliError("--client-id needs the service account's secret in GATEHOUSE_CLIENT_SECRET");
      this.kind = 'service_account';
      this.client = new ServiceAccountTokenClient({ url: this.url, clientId: options.clientId, clientSecret, maxAttempts: 3, ...(scope ? { scope } : {}) });
      this.key = cacheKey(this.url, 'client_credentials', options.clientId, clientSecret, scope ?? '');
    } else {
      const refreshToken = io.env.GATEHOUSE_REFRESH_TOKEN || loadCredentials(io.env)?.refreshToken;
      if (!refreshToken) throw new CliError('not signed in: run `gatehouse login`, set GATEHOUSE_REFRESH_TOKEN, or use --client-id');
      this.kind = 'refresh_token';
      this.client = new RefreshTokenClient({ url: this.url, refreshToken, maxAttempts: 3, ...(scope ? { scope } : {}) });
      this.key = cacheKey(this.url, 'refresh_token', refreshToken, scope ?? '');
    }
  }

  async token(): Promise<CachedToken> {
    const now = Date.now();
    const cached = this.skipCache ? undefined : cachedToken(this.io.env, this.key, now + MARGIN_MS);
    if (cached) return cached;
    try {
      const t = await this.client.token();
      const fresh = { accessToken: t.accessToken, expiresAt: t.expiresAt, scope: t.scope };
      cacheToken(this.io.env, this.key, fresh, now);
      this.skipCache = false;
      return fresh;
    } catch (err) {
      throw this.explain(err);
    }
  }

  async getToken(): Promise<string> {
    return (await this.token()).accessToken;
  }

  invalidate(token?: string): void {
    this.skipCache = true;
    this.client.invalidate(token);
  }

  fetch(): ReturnType<typeof createBearerFetch> {
    return createBearerFetch(this, { baseUrl: this.url });
  }

  private explain(err: unknown): Error {
    if (!(err instanceof TokenRequestError)) return err as Error;
    if (this.kind === 'refresh_token' && err.code === 'invalid_grant') {
      return new CliError('the refresh token was revoked or has expired: run `gatehouse login` again');
    }
    if (err.code === 'network_error') return new CliError(`cannot reach ${this.url}: ${err.description}`);
    return new CliError(`token request refused: ${err.message}`);
  }
}
