import { TokenRequestError } from './errors.js';
import { readOAuthError, revocationEndpointOf } from './http.js';

/**
 * RFC 7009: revoke a refresh token at `${url}/api/v1/auth/revoke`. The token is its own proof (no
 * client authentication). Resolves for an unknown token too (§2.2); throws TokenRequestError when
 * the server refuses or cannot be reached.
 */
export async function revokeRefreshToken(url: string, refreshToken: string, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<void> {
  const fetchImpl = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await fetchImpl(revocationEndpointOf(url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: 'error',
    });
  } catch {
    throw new TokenRequestError('network_error', 0, 'could not reach the revocation endpoint', true);
  }
  if (res.ok) {
    await res.body?.cancel().catch(() => {});
    return;
  }
  const { code, description } = await readOAuthError(res);
  throw new TokenRequestError(code, res.status, description, res.status === 429 || res.status >= 500);
}
