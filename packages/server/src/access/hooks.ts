import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidToken } from '../errors.js';
import { AccessDecision, type Principal } from './access-decision.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * A route hook that admits a bearer token holding `scope` on this call (§5). Register it as
 * `onRequest`, so that an unauthenticated caller is refused before its body is even parsed.
 */
export function requireScope(decision: AccessDecision, scope: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const principal = await decision.authenticate(request.headers.authorization);
    AccessDecision.requireScope(principal, scope);
    request.principal = principal;
  };
}

/** A route hook that admits any live service-account token, whatever its scopes. */
export function requireToken(decision: AccessDecision) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = await decision.authenticate(request.headers.authorization);
  };
}

export function currentPrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new InvalidToken('a bearer token is required');
  return request.principal;
}

export const principalActor = (p: Principal) => ({ type: 'service_account' as const, id: p.id, name: p.name });
