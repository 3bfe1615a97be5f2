import type { CatalogueApi } from '@gatehouse/access';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import { InvalidClient, InvalidRequest, InvalidScope, InvalidTarget } from '../errors.js';

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
 * so Basic together with a body secret is `invalid_request` (§4). An empty `client_secret` and
 * Basic `:` (Go's x/oauth2 sends `Basic Og==` for a public client) are no credentials at all:
 * the refresh grant needs none, and client_credentials answers them with `invalid_client`.
 */
export function parseTokenRequest(body: unknown, authorization: string | undefined): TokenRequest {
  const params = parseParams(body);
  const grantType = params.grant_type;
  if (!grantType) throw new InvalidRequest('grant_type is required');
  const bodyId = params.client_id || undefined;
  const bodySecret = params.client_secret || undefined;

  const basic = authorization === undefined ? null : parseBasic(authorization);
  if (basic) {
    if (bodySecret !== undefined) {
      throw new InvalidRequest('use one client authentication method: HTTP Basic or client_secret in the body, not both');
    }
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new InvalidRequest('client_id in the body does not match HTTP Basic');
    }
    return { grantType, params, client: basic };
  }
  // RFC 6749 §6: a public client (a CLI, openid-client with no client authentication) names
  // itself with client_id alone when refreshing; refresh tokens are their own proof.
  if (bodySecret === undefined) return { grantType, params, client: null };
  // RFC 6749 §5.2: a secret that names no client is failed client authentication.
  if (bodyId === undefined) throw new InvalidClient('client_id is required with client_secret');
  return { grantType, params, client: { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' } };
}

/** RFC 7009 §2.1: `token` (required) and `token_type_hint` (optional, and only a hint). */
export function parseRevocationRequest(body: unknown): { token: string } {
  const params = parseParams(body);
  if (!params.token) throw new InvalidRequest('token is required');
  return { token: params.token };
}

const BASIC = /^Basic +([A-Za-z0-9+/_-]+={0,2})$/i;

/**
 * RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64 (RFC 7617). `Basic` and
 * its credentials are separated by `1*SP` (RFC 9110 §11.4). Anything that is not well-formed Basic
 * (another scheme, bad base64, no colon) is failed client authentication: 401 `invalid_client`
 * with a Basic challenge, so that a client learns what to send. `null`: Basic `:`, no credentials.
 */
function parseBasic(header: string): ClientCredentials | null {
  const m = BASIC.exec(header.trim());
  const encoded = m?.[1];
  if (!encoded) throw new InvalidClient('the Authorization header must be HTTP Basic client credentials');
  const decoded = strictBase64(encoded);
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === null || colon < 0) throw new InvalidClient('malformed HTTP Basic credentials');
  if (decoded === ':') return null;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    const clientId = formDecode(decoded.slice(0, colon));
    if (!clientId) throw new InvalidClient('malformed HTTP Basic credentials: the client id is empty');
    return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
  } catch (err) {
    if (err instanceof InvalidClient) throw err;
    throw new InvalidClient('malformed HTTP Basic credentials');
  }
}

/** Base64 that round-trips (Node's decoder skips junk silently) and decodes to UTF-8, or null. */
function strictBase64(encoded: string): string | null {
  const standard = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Buffer.from(standard, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== standard.replace(/=+$/, '')) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A JSON object or form of single string values (RFC 6749 §3.2: parameters must not repeat). */
function parseParams(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequest('the request body must be a JSON object or a form');
  }
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    // RFC 8707 §2: several resources are allowed by the RFC; Gatehouse issues a token for one API.
    if (Array.isArray(value) && key === 'resource') throw new InvalidTarget('one resource per token request: each API gets its own token');
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

/**
 * [C3] RFC 8707 + RFC 6749 §3.3: which API a token is for (`resource`, else the first API) and its
 * scopes: those asked for, which must all be within `held` and belong to that API, or without
 * `scope`, everything held within that API. Held scopes the catalogue no longer has never count [C2].
 */
export function settleScopes(
  catalogue: ScopeCatalogue,
  params: Record<string, string>,
  held: Iterable<string>,
  heldBy: string,
): { api: CatalogueApi; scopes: string[] } {
  const api = catalogue.target(params.resource);
  const current = new Set(catalogue.current(held));
  const requested = parseScopeParam(params.scope);
  if (requested?.some((s) => !current.has(s))) throw new InvalidScope(`the requested scope exceeds the scopes granted to this ${heldBy}`);
  if (requested && catalogue.scopesOf(api, requested).length !== requested.length) {
    throw new InvalidScope(`the requested scope includes scopes of another API than ${api.audience}; ask for each API's token with its resource`);
  }
  const scopes = requested ?? catalogue.scopesOf(api, current);
  if (scopes.length === 0) throw new InvalidScope(`this ${heldBy} holds no scope of the API ${api.audience}; name the API with resource`);
  return { api, scopes };
}
