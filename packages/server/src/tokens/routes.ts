import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../audit/events.js';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { GatehouseError, UnsupportedGrantType, UnsupportedTokenType } from '../errors.js';
import { ErrorBody, NoContent } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import type { AccessTokens } from './access-tokens.js';
import { settle, type TokenLimits } from './limits.js';
import type { TokenResponse } from './grants/client-credentials.js';
import type { SigningKeys } from './signing-keys.js';
import { refuseCredentialsInQuery } from './query-credentials.js';
import { parseRevocationRequest, parseTokenRequest, type TokenRequest } from './token-request.js';

export const TOKEN_PATH = '/api/v1/auth/token';
export const JWKS_PATH = '/.well-known/jwks.json';
export const REVOKE_PATH = '/api/v1/auth/revoke';

export const DISCOVERY_PATH = '/.well-known/oauth-authorization-server';

/** Where RFC 8414 metadata is served for `issuer`: the plain path, and the §3.1 path-inserted one. */
export function discoveryPaths(issuer: string): string[] {
  const issuerPath = new URL(issuer).pathname.replace(/\/+$/, '');
  return issuerPath ? [DISCOVERY_PATH, `${DISCOVERY_PATH}${issuerPath}`] : [DISCOVERY_PATH];
}

/** A grant type handler; the refresh_token grant slots in beside client_credentials. */
export interface Grant {
  /**
   * `proven` is called as soon as the caller's credential is proven (a matching secret, a known
   * refresh token): the failure tokens reserved for the attempt go back then, not after the audit
   * commit, so a client with many grants in flight is never refused for its own concurrency.
   */
  handle(req: TokenRequest, ctx: RequestContext, proven?: () => void): Promise<TokenResponse>;
  /**
   * Loads what the credential check reads (a service account's state, a refresh token's facts)
   * when it is not cached, or null when there is nothing to load. The route holds no failure
   * reservation during that load, so a reservation spans only the check itself: otherwise a burst
   * of one credential not cached (just started, just changed, never used) would hold every
   * reservation across the one shared load, and the excess over the burst would be refused (429).
   */
  prepare?(req: TokenRequest): Promise<unknown> | null;
}

export interface TokenRouteDeps {
  config: Config;
  clock: Clock;
  keys: SigningKeys;
  grants: Record<string, Grant>;
  tokens: AccessTokens;
  /** [C3] Discovery advertises the scopes of every API. */
  catalogue: ScopeCatalogue;
  /** Rate limits; the client_credentials grant charges the per-client bucket once authenticated. */
  limits: TokenLimits;
  /** RFC 7009: revokes a refresh token presented by its holder; unknown tokens are not an error. */
  revokeRefreshToken(token: string, ctx: RequestContext): Promise<void>;
  /** Counts grants and denials by reason (/metrics). */
  onTokenRequest?(grantType: string, deniedWith: string | null): void;
}

const TokenResponseBody = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

/** §4: the token endpoint (RFC 6749 §3.2), discovery (RFC 8414) and the JWKS (RFC 7517). */
export function tokenRoutes(app: App, deps: TokenRouteDeps): void {
  const { limits } = deps;

  app.post(
    TOKEN_PATH,
    {
      schema: {
        tags: ['oauth'],
        summary: 'Exchange client credentials (RFC 6749 §4.4) or a refresh token (§6) for an access token',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        response: { 200: TokenResponseBody, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
      onRequest: refuseCredentialsInQuery,
    },
    async (req, reply) => {
      // RFC 6749 §5.1/§5.2: token responses, errors included, must not be cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      limits.request(req.ip);
      const tokenRequest = parseTokenRequest(req.body, req.headers.authorization);
      const grant = deps.grants[tokenRequest.grantType];
      if (!grant) throw new UnsupportedGrantType(`grant_type must be one of: ${Object.keys(deps.grants).join(', ')}`);
      // Failed authentications are charged to the caller's address (and address + claimed client id),
      // reserved before any secret is compared; a refresh token names no client, so address only.
      const claimedClient = tokenRequest.grantType === 'client_credentials' ? tokenRequest.client?.clientId : undefined;
      const counted = (err: unknown): never => {
        deps.onTokenRequest?.(tokenRequest.grantType, err instanceof GatehouseError ? err.code : 'server_error');
        throw err;
      };
      // Reserved first, so that an exhausted bucket refuses at once, before any database read.
      let attempt = limits.attempt(req.ip, claimedClient);
      const loading = grant.prepare?.(tokenRequest);
      if (loading) {
        attempt.release();
        await loading.catch(counted); // a database outage here is a 503, counted as the grant's would be
        attempt = limits.attempt(req.ip, claimedClient);
      }
      try {
        const response = await settle(attempt, () => grant.handle(tokenRequest, requestContext(req), attempt.release));
        deps.onTokenRequest?.(tokenRequest.grantType, null);
        return response;
      } catch (err) {
        return counted(err);
      }
    },
  );

  app.post(
    REVOKE_PATH,
    {
      schema: {
        tags: ['oauth'],
        summary: 'Revoke a refresh token (RFC 7009); the token is its own proof',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        response: { 200: NoContent, 400: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
      onRequest: refuseCredentialsInQuery,
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      limits.request(req.ip);
      const { token } = parseRevocationRequest(req.body);
      // Access tokens are not revocable one by one (RFC 7009 §2.2.1): they die with their
      // principal's disable or deactivation, or within the hour. Saying so beats a silent 200.
      if (
        token.split('.').length === 3 &&
        (await deps.tokens.verify(token).then(
          () => true,
          () => false,
        ))
      ) {
        throw new UnsupportedTokenType(
          'access tokens cannot be revoked; they expire on their own, and disabling the service account or deactivating the user ends them at once',
        );
      }
      await deps.revokeRefreshToken(token, requestContext(req));
      // RFC 7009 §2.2: 200 whether or not the token was known, with no body (`undefined` is an
      // empty body; `null` would be serialized as the text "null").
      return reply.code(200).send(undefined as unknown as null);
    },
  );

  const discovery = async (_req: FastifyRequest, reply: FastifyReply) => {
    const issuer = deps.config.issuer;
    reply.header('cache-control', 'public, max-age=300');
    // RFC 8414 §2. Only what exists is advertised: no authorization or introspection endpoint [A11].
    return {
      issuer,
      token_endpoint: `${issuer}${TOKEN_PATH}`,
      jwks_uri: `${issuer}${JWKS_PATH}`,
      revocation_endpoint: `${issuer}${REVOKE_PATH}`,
      revocation_endpoint_auth_methods_supported: ['none'],
      grant_types_supported: Object.keys(deps.grants),
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      // RFC 8414 §2: every API's scopes. RFC 8707 defines no metadata for resource indicators;
      // the audiences (the `resource` values) are the operator's, listed in its catalogue file.
      scopes_supported: deps.catalogue.scopes,
      response_types_supported: [],
    };
  };
  // RFC 8414 §3.1: an issuer with a path (https://host/auth) is discovered at the path-inserted
  // https://host/.well-known/oauth-authorization-server/auth. The plain URL stays, for an issuer
  // without a path and for a proxy that strips the issuer's path prefix.
  for (const path of discoveryPaths(deps.config.issuer))
    app.get(path, { schema: { tags: ['oauth'], summary: 'Authorization server metadata (RFC 8414)' } }, discovery);

  app.get(JWKS_PATH, { schema: { tags: ['oauth'], summary: 'Token signing keys (RFC 7517 JWK Set)' } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return deps.keys.jwks();
  });
}
