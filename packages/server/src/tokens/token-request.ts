import { InvalidRequest } from '../errors.js';

/** What a client sent to the token endpoint, after parsing, with its authentication separated out. */
export interface TokenRequest {
  grantType: string;
  params: Record<string, string>;
  client: ClientCredentials | null;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

const MAX_PARAM_LENGTH = 4096;

/**
 * Reads the body (JSON or form, already parsed) and the Authorization header into a TokenRequest.
 * RFC 6749 §3.2: parameters must not repeat. §2.3.1: a client uses one authentication method,
 * so Basic together with a body secret is `invalid_request` (§4).
 */
export function parseTokenRequest(body: unknown, authorization: string | undefined): TokenRequest {
  const params = parseParams(body);
  const grantType = params.grant_type;
  if (!grantType) throw new InvalidRequest('grant_type is required');

  let client: ClientCredentials | null = null;
  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (params.client_secret !== undefined) {
      throw new InvalidRequest('use one client authentication method: HTTP Basic or client_secret in the body, not both');
    }
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw new InvalidRequest('client_id in the body does not match HTTP Basic');
    }
    client = basic;
  } else if (params.client_secret !== undefined || params.client_id !== undefined) {
    // RFC 6749 §6: a public client (a CLI, openid-client with no client authentication) names
    // itself with client_id alone when refreshing; refresh tokens are their own proof.
    if (grantType === 'refresh_token' && params.client_secret === undefined) return { grantType, params, client: null };
    if (!params.client_id || !params.client_secret) {
      throw new InvalidRequest('client_id and client_secret are both required');
    }
    client = { clientId: params.client_id, clientSecret: params.client_secret, method: 'client_secret_post' };
  }
  return { grantType, params, client };
}

/** RFC 7009 §2.1: `token` (required) and `token_type_hint` (optional, and only a hint). */
export function parseRevocationRequest(body: unknown): { token: string } {
  const params = parseParams(body);
  if (!params.token) throw new InvalidRequest('token is required');
  return { token: params.token };
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64 (RFC 7617). */
function parseBasic(header: string): ClientCredentials {
  const m = /^Basic ([A-Za-z0-9+/=_-]+)$/i.exec(header.trim());
  if (!m?.[1]) throw new InvalidRequest('the Authorization header must be HTTP Basic client credentials');
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new InvalidRequest('malformed HTTP Basic credentials');
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
      method: 'client_secret_basic',
    };
  } catch {
    throw new InvalidRequest('malformed HTTP Basic credentials');
  }
}

/** A JSON object or form of single string values (RFC 6749 §3.2: parameters must not repeat). */
function parseParams(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequest('the request body must be a JSON object or a form');
  }
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new InvalidRequest(`parameter ${safeName(key)} is repeated`);
    if (typeof value !== 'string') throw new InvalidRequest(`parameter ${safeName(key)} must be a string`);
    if (value.length > MAX_PARAM_LENGTH) throw new InvalidRequest(`parameter ${safeName(key)} is too long`);
    params[key] = value;
  }
  return params;
}

/** Parameter names are echoed in errors, so only short, plain ones are echoed. */
const safeName = (key: string): string => (/^[a-z_]{1,32}$/.test(key) ? key : '(unnamed)');

/** RFC 6749 §3.3: a space-delimited list; empty or absent means "everything the client holds". */
export function parseScopeParam(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const scopes = value.split(' ').filter(Boolean);
  return scopes.length ? [...new Set(scopes)] : null;
}
