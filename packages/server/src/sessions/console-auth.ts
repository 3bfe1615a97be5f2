import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/events.js';
import { roleHas, type Capability, type Role } from '../catalogue/scopes.js';
import type { Db } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { organizationStore } from '../organizations/store.js';
import type { SessionService, SessionUser } from './service.js';

export const SESSION_COOKIE = 'gatehouse_session';

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: SessionUser;
    /** This session's CSRF token, for the console page to pick up again after a reload. */
    csrfToken?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Console authentication (§8): the session cookie, and on every state-changing call the
 * `X-CSRF-Token` header, or 403. Bearer tokens are not accepted here, and cookies are not
 * accepted on the APIs (§5), so the two kinds of caller never mix.
 */
export function consoleSession(sessions: SessionService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const resolved = await sessions.resolve(sessionId);
    if (!resolved || !sessionId) throw new ApiError('unauthenticated', 'sign in to use the console API');
    if (!SAFE_METHODS.has(request.method) && !sessions.checkCsrf(sessionId, headerValue(request.headers['x-csrf-token']))) {
      throw new ApiError('csrf_token_invalid', 'the X-CSRF-Token header is missing or wrong');
    }
    request.consoleUser = resolved.user;
    request.csrfToken = resolved.csrfToken;
  };
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? undefined : v);

export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.consoleUser) throw new ApiError('unauthenticated', 'sign in to use the console API');
  return request.consoleUser;
}

export const userActor = (u: SessionUser): Actor => ({ type: 'user', id: u.id, name: u.email });

/**
 * The signed-in user's role in `orgId`, required to grant `capability`. No role at all is 404 so
 * that other tenants' existence does not leak (§5); a role without the capability is 403.
 */
export async function requireOrgCapability(db: Db, user: SessionUser, orgId: string, capability?: Capability): Promise<Role> {
  const role = await organizationStore.roleOf(db, orgId, user.id);
  if (!role) throw notFound('organization');
  if (capability && !roleHas(role, capability)) {
    throw new ApiError('forbidden', `your role (${role}) does not allow this; it needs ${capability}`);
  }
  return role;
}
