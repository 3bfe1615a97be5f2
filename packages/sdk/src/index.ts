/**
 * @gatehouse/sdk: the whole public surface.
 *
 * - Token clients for integrations: a service account's client credentials, or a person's refresh
 *   token; cached until shortly before expiry, one request in flight however many callers.
 * - `ManagementClient`: the management API (/manage/v1) as a person, over a refresh token [M1].
 * - `createBearerFetch`: a fetch that adds the bearer and retries once with a fresh token on 401.
 * - `createVerifier`: for resource servers, Gatehouse's own access decision made locally (JWT
 *   verification plus the live principal state from the server's state feed), with adapters for
 *   Fastify, Express and node:http.
 */
export { GatehouseError, TokenRequestError, AccessDenied } from './errors.js';
export {
  TokenClient,
  ServiceAccountTokenClient,
  RefreshTokenClient,
  type AccessToken,
  type TokenClientEvent,
  type TokenClientOptions,
  type ServiceAccountTokenClientOptions,
  type RefreshTokenClientOptions,
} from './token-client.js';
export { createBearerFetch, type BearerFetch, type BearerFetchOptions, type BearerSource } from './fetch.js';
export { revokeRefreshToken } from './revoke.js';
export {
  ManagementClient,
  ManagementError,
  type ManagementClientOptions,
  type Page,
  type PageOptions,
  type Invitation,
  type InvitationCreated,
} from './management.js';
export {
  Verifier,
  createVerifier,
  type VerifierOptions,
  type RequireOptions,
  type RouteDecision,
  type Principal,
  type ServiceAccountPrincipal,
  type UserPrincipal,
} from './verifier/verifier.js';
export type { AccessTokenClaims, CatalogueApi, CatalogueRoute } from '@gatehouse/access';
export type { StateFeedEvent, ServiceAccountState, UserState } from './verifier/state-feed.js';
export {
  fastifyHook,
  expressMiddleware,
  nodeHttpGuard,
  type AdapterOptions,
  type FastifyLikeRequest,
  type FastifyLikeReply,
  type ExpressLikeRequest,
  type ExpressLikeResponse,
} from './verifier/adapters.js';
