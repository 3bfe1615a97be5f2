import type { FastifyRequest, RouteOptions } from 'fastify';
import type { Actor } from '../audit/events.js';
import { roleHas, type Capability, type Role } from '../catalogue/scopes.js';
import type { Db } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import type { App } from '../http/types.js';
import { organizationStore } from '../organizations/store.js';
import type { SessionService, SessionUser } from './service.js';

export const CONSOLE_API_PREFIX = '/console/api/';

/**
 * What a console-API route needs, declared in its `config` and enforced by `consoleGuard`. The
 * default (nothing declared) is the safe one: a session, the CSRF header on every write, and a
 * role in the `{orgId}` of the path when there is one.
 */
export interface ConsoleAccess {
  /** `'none'` only for what must work signed out (signing in). Default `'required'`. */
  session?: 'required' | 'none';
  /** On an `{orgId}` route: the capability the caller's role there must grant (else 403). */
  capability?: Capability;
  /** [P4] Still answered while a generated password waits to be changed (reading the session, changing it, signing out). */
  duringPasswordChange?: true;
}

declare module 'fastify' {
  interface FastifyContextConfig extends ConsoleAccess {}
  interface FastifyRequest {
    consoleUser?: SessionUser;
    /** This session's CSRF token, for the console page to pick up again after a reload. */
    csrfToken?: string;
    /** The signed-in user's role in the `{orgId}` of the path (routes with one only). */
    consoleRole?: Role;
    /** [P7] The public id of the session making the call. */
    consoleSessionId?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? undefined : v);
const hooks = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/**
 * Console authentication in one place (§8), for every route under `/console/api/`: the session
 * cookie, the `X-CSRF-Token` header on every state-changing method (403 without it), and on
 * `{orgId}` routes a role there (404 without one, so other tenants do not leak, §5) granting the
 * declared capability (403). Bearer tokens are not accepted here, and cookies are not accepted on
 * the APIs (§5), so the two kinds of caller never mix. Register it before any console route: a
 * console route it did not see stops the start.
 */
/**
 * The session cookie, and the CSRF header on a state-changing method (§8). consoleGuard runs it
 * for every signed-in route; a route open to both (accepting an invitation) calls it itself.
 */
export async function authenticateConsole(sessions: SessionService, request: FastifyRequest): Promise<void> {
  const sessionId = request.cookies[sessions.cookieName];
  const resolved = await sessions.resolve(sessionId);
  if (!resolved || !sessionId) throw new ApiError('unauthenticated', 'sign in to use the console API');
  if (!SAFE_METHODS.has(request.method) && !sessions.checkCsrf(sessionId, headerValue(request.headers['x-csrf-token']))) {
    throw new ApiError('csrf_token_invalid', 'the X-CSRF-Token header is missing or wrong');
  }
  // [P4] The one place the forced change is enforced: nothing else until the password is changed.
  if (resolved.passwordChangeRequired && !request.routeOptions.config?.duringPasswordChange) {
    throw new ApiError('password_change_required', 'change the generated password first (POST /console/api/me/password)');
  }
  request.consoleUser = resolved.user;
  request.csrfToken = resolved.csrfToken;
  request.consoleSessionId = resolved.sessionId;
}

/** The session cookie's value on this request (the guard has checked it). */
export const sessionCookie = (sessions: SessionService, request: FastifyRequest): string | undefined => request.cookies[sessions.cookieName];

/**
 * [P7] Login CSRF: a call that signs someone in (sign-in, accepting an invitation, a reset) is
 * refused when it comes from another site, so no page can sign a browser into an account of its
 * choosing. `Origin`, when sent, must be the issuer's origin (RFC 6454 §7); `Sec-Fetch-Site:
 * cross-site` is refused (Fetch Metadata). SameSite=Strict does not help here: there is no cookie yet.
 */
export function refuseCrossSite(request: FastifyRequest, issuerOrigin: string): void {
  const origin = headerValue(request.headers.origin);
  const site = headerValue(request.headers['sec-fetch-site']);
  if ((origin !== undefined && origin !== issuerOrigin) || site === 'cross-site') {
    throw new ApiError('forbidden', 'cross-site requests cannot sign in; open the console at its own address');
  }
}

/** [P6] Whether this person must enrol a second factor before acting in this organization. */
export interface EnrolmentCheck {
  mustEnrol(orgId: string, userId: string): Promise<boolean>;
}

export function consoleGuard(app: App, deps: { db: Db; sessions: SessionService; mfa?: EnrolmentCheck }): void {
  const { db, sessions, mfa } = deps;
  const seen = new Set<string>();

  const authenticate = (request: FastifyRequest): Promise<void> => authenticateConsole(sessions, request);

  // After validation, so a malformed org id stays a 400; before the handler touches anything.
  const orgChecks = new WeakSet<object>();
  const orgRole = (capability: Capability | undefined) => {
    const check = async (request: FastifyRequest): Promise<void> => {
      const { orgId } = request.params as { orgId: string };
      const user = currentUser(request);
      const role = await requireOrgCapability(db, user, orgId, capability);
      // [P6] An owner or admin of an organization that requires a second factor enrols one before
      // anything else there. The enrolment routes (/console/api/me/mfa) have no {orgId}.
      if ((role === 'owner' || role === 'admin') && mfa && (await mfa.mustEnrol(orgId, user.id))) {
        throw new ApiError('mfa_enrolment_required', 'this organization requires a second factor of owners and admins: enrol one first');
      }
      request.consoleRole = role;
    };
    orgChecks.add(check);
    return check;
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(CONSOLE_API_PREFIX)) return;
    for (const m of [route.method].flat()) seen.add(`${m} ${route.url}`);
    const access: ConsoleAccess = route.config ?? {};
    const hasOrg = route.url.includes('/:orgId');
    if (access.capability && (access.session === 'none' || !hasOrg)) {
      throw new Error(`${route.url}: a capability is checked against the {orgId} of a signed-in route`);
    }
    if (access.session === 'none') return;
    // A GET's HEAD twin arrives here with the GET's hooks already in place: add them once.
    const onRequest = hooks(route.onRequest);
    if (!onRequest.includes(authenticate)) route.onRequest = [...onRequest, authenticate];
    const preHandler = hooks(route.preHandler);
    if (hasOrg && !preHandler.some((h) => orgChecks.has(h))) route.preHandler = [orgRole(access.capability), ...preHandler];
  });

  app.addHook('onReady', async () => {
    const unguarded = app.routeTable.filter((r) => r.url.startsWith(CONSOLE_API_PREFIX) && !seen.has(`${r.method} ${r.url}`));
    if (unguarded.length) {
      throw new Error(`console routes registered before consoleGuard: ${unguarded.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    }
  });
}

export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.consoleUser) throw new ApiError('unauthenticated', 'sign in to use the console API');
  return request.consoleUser;
}

/** The role `consoleGuard` found in the path's organization, checked for `capability` (403). */
export function currentRole(request: FastifyRequest, capability?: Capability): Role {
  const role = request.consoleRole;
  if (!role) throw notFound('organization');
  if (capability && !roleHas(role, capability)) throw forbidden(role, capability);
  return role;
}

export const userActor = (u: SessionUser): Actor => ({ type: 'user', id: u.id, name: u.email });

const forbidden = (role: Role, capability: Capability) => new ApiError('forbidden', `your role (${role}) does not allow this; it needs ${capability}`);

/**
 * The signed-in user's role in `orgId`, required to grant `capability`. No role at all is 404 so
 * that other tenants' existence does not leak (§5); a role without the capability is 403.
 */
export async function requireOrgCapability(db: Db, user: SessionUser, orgId: string, capability?: Capability): Promise<Role> {
  const role = await organizationStore.roleOf(db, orgId, user.id);
  if (!role) throw notFound('organization');
  if (capability && !roleHas(role, capability)) throw forbidden(role, capability);
  return role;
}
