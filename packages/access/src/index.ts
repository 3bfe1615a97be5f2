/**
 * @gatehouse/access: Gatehouse's one access core, shared by the server and the SDK verifier (and,
 * later, forward authentication). Zero dependencies beyond node:crypto.
 */
export { parseBearer, bearerOrEmpty } from './bearer.js';
export { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, type AccessTokenClaims } from './claims.js';
export {
  AccessDenial,
  invalidToken,
  insufficientScope,
  organizationNotFound,
  routeNotDeclared,
  stateUnavailable,
  bearerChallenge,
  denialHeaders,
  denialBody,
  type Denial,
  type DenialCode,
  type DenialStatus,
} from './denial.js';
export { parseJwt, signatureValid, checkClaims, verifyAccessToken, audienceMatches, type ParsedJwt, type JwtExpectations, type KeyLookup } from './jwt.js';
export { VerifiedTokens, type VerifiedToken } from './token-cache.js';
export {
  isActive,
  roleTableOf,
  type ServiceAccountState,
  type UserState,
  type PrincipalState,
  type RoleTable,
} from './state.js';
export { principalKind, type Principal, type PrincipalKind, type ServiceAccountPrincipal, type UserPrincipal } from './principal.js';
export { decide, admit, type Requirement, type Decision, type DecisionMemo } from './decide.js';
export { AccessCheck, type AccessCheckOptions, type StateSource } from './check.js';
export {
  serviceAccountToWire,
  userToWire,
  serviceAccountFromWire,
  userFromWire,
  roleTableFromWire,
  type ServiceAccountWire,
  type UserWire,
  type PrincipalWireKind,
  type SnapshotEvent,
  type ChangeEvent,
  type HeartbeatEvent,
} from './feed.js';
export type { Catalogue, CatalogueApi, CatalogueRoute, CatalogueScope } from './catalogue.js';
export { RouteMatcher, type RouteMatch } from './routes.js';
