import type { FastifyRequest, RouteOptions } from 'fastify';
import type { AccessDecision } from '../access/access-decision.js';
import type { PrincipalStates } from '../access/principal-state.js';
import { roleHas, type Capability } from '../catalogue/scopes.js';
import { ApiError, notFound } from '../errors.js';
import type { App } from '../http/types.js';

export const MANAGE_API_PREFIX = '/manage/v1/';

/** The two doors to one set of organization operations (ARCHITECTURE "one implementation, several doors"). */
export const DOORS = [
  { door: 'console', prefix: '/console/api' },
  { door: 'manage', prefix: '/manage/v1' },
] as const;
export type Door = (typeof DOORS)[number]['door'];

/**
 * What a `/manage/v1` route needs of a person's token, beside the `capability` both doors check:
 * the [M2] management scope (or the API scope) the token must carry and the role must grant now.
 * A function when it depends on the request (leaving an organization needs no scope).
 */
export interface ManageAccess {
  scope?: string | ((request: FastifyRequest, personId: string) => string | undefined);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    manage?: ManageAccess;
  }
}

const hooks = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/**
 * [M1] Authentication for every route under `/manage/v1/`: a person's access token (minted from a
 * refresh token), decided by the access core. A service-account token is 401 (never 404, so its
 * organization does not matter), a cookie is not looked at (no bearer: 401), an organization the
 * person holds no role in (or the token does not reach, [B8]) is 404, a scope the token lacks or
 * the role does not grant now is 403 ([B6], [M2]). The person and role found are handed to the
 * handlers exactly as consoleGuard hands them over, so both doors run the same handler and audit
 * the same actor. A `/manage/v1` route it did not see stops the start.
 */
export function manageGuard(app: App, deps: { decision: AccessDecision; states: PrincipalStates }): void {
  const { decision, states } = deps;
  const seen = new Set<string>();

  // Before the body is read: no token, a bad token or a service account's token is 401 at once.
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    request.principal = await decision.check(request.headers.authorization, { subject: 'user' });
  };
  const checks = new WeakSet<object>();
  const decide = (access: ManageAccess, capability: Capability | undefined, hasOrg: boolean) => {
    const check = async (request: FastifyRequest): Promise<void> => {
      const personId = request.principal?.id ?? '';
      const scope = typeof access.scope === 'function' ? access.scope(request, personId) : access.scope;
      const orgId = hasOrg ? (request.params as { orgId: string }).orgId : undefined;
      const principal = await decision.check(request.headers.authorization, {
        subject: 'user',
        ...(orgId !== undefined ? { orgId } : {}),
        ...(scope ? { scope } : {}),
      });
      if (principal.type !== 'user') throw new ApiError('unauthenticated', 'a personal access token is required');
      const state = states.peekUser(principal.id) ?? (await states.user(principal.id));
      if (!state) throw new ApiError('unauthenticated', 'a personal access token is required');
      request.principal = principal;
      // What consoleGuard sets for a session: the same person, so handlers and audit events are the same.
      request.consoleUser = { id: state.id, email: state.email, name: state.name };
      if (orgId !== undefined) {
        const role = state.roles.get(orgId);
        if (!role) throw notFound('organization');
        if (capability && !roleHas(role, capability)) throw new ApiError('forbidden', `your role (${role}) does not allow this; it needs ${capability}`);
        request.consoleRole = role;
      }
    };
    checks.add(check);
    return check;
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(MANAGE_API_PREFIX)) return;
    for (const m of [route.method].flat()) seen.add(`${m} ${route.url}`);
    const config = route.config ?? {};
    if (config.session === 'none') throw new Error(`${route.url}: every /manage/v1 route needs a person's token`);
    const onRequest = hooks(route.onRequest);
    if (!onRequest.includes(authenticate)) route.onRequest = [...onRequest, authenticate];
    const preHandler = hooks(route.preHandler);
    if (!preHandler.some((h) => checks.has(h)))
      route.preHandler = [decide(config.manage ?? {}, config.capability, route.url.includes('/:orgId')), ...preHandler];
  });

  app.addHook('onReady', async () => {
    const unguarded = app.routeTable.filter((r) => r.url.startsWith(MANAGE_API_PREFIX) && !seen.has(`${r.method} ${r.url}`));
    if (unguarded.length) throw new Error(`manage routes registered before manageGuard: ${unguarded.map((r) => `${r.method} ${r.url}`).join(', ')}`);
  });
}
