import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidToken } from '@gatehouse/access';
import type { Actor } from '../audit/events.js';
import type { AccessDecision, Principal, ServiceAccountPrincipal } from './access-decision.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * A route hook that admits a service-account token holding `scope` on this call (§5, [B9]).
 * Register it as `onRequest`, so that an unauthenticated caller is refused before its body is
 * even parsed.
 */
export function requireScope(decision: AccessDecision, scope: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = await decision.check(request.headers.authorization, { scope });
  };
}

/** A route hook that admits any live service-account token, whatever its scopes. */
export function requireToken(decision: AccessDecision) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = await decision.check(request.headers.authorization, {});
  };
}

/**
 * A route hook for organization paths (`/…/orgs/:orgId/…`): a service account of that
 * organization holding `scope`, or a user whose current role there grants it [B6] [B9].
 * 401, then 404 for an organization the caller holds nothing in, then 403 for a missing scope.
 */
export function requireOrgScope(decision: AccessDecision, scope: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const { orgId } = request.params as { orgId: string };
    request.principal = await decision.check(request.headers.authorization, { orgId, scope });
  };
}

/** The caller admitted by `requireScope` or `requireToken`: always a service account. */
export function currentPrincipal(request: FastifyRequest): ServiceAccountPrincipal {
  const p = request.principal;
  if (p?.type !== 'service_account') throw invalidToken('a bearer token is required');
  return p;
}

/** The caller admitted by `requireOrgScope`: a service account or a user. */
export function currentCaller(request: FastifyRequest): Principal {
  if (!request.principal) throw invalidToken('a bearer token is required');
  return request.principal;
}

export const principalActor = (p: Principal): Actor =>
  p.type === 'service_account' ? { type: 'service_account', id: p.id, name: p.name } : { type: 'user', id: p.id, name: p.name };
