import { Type } from '@sinclair/typebox';
import { RouteMatcher, routeNotDeclared, type Catalogue, type Principal } from '@gatehouse/access';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessDecision } from '../access/access-decision.js';
import { InvalidRequest } from '../errors.js';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';

export const FORWARD_AUTH_PATH = '/api/v1/auth/forward';

/** A catalogue with no routes: the forward endpoint then refuses everything (deny by default). */
export const NO_ROUTES: Catalogue = { apis: [], roles: { viewer: [], member: [], admin: [], owner: [] }, demo: true };

/** The original request, as one header family tells it (all lower-case, as Node delivers them). */
const FAMILIES = [
  { method: 'x-forwarded-method', uri: 'x-forwarded-uri', name: 'X-Forwarded-Method/X-Forwarded-Uri' }, // Caddy, Traefik
  { method: 'x-original-method', uri: 'x-original-uri', name: 'X-Original-Method/X-Original-URI' }, // nginx
] as const;

type Headers = FastifyRequest['headers'];
const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? undefined : value);

/**
 * [F1] The original method and URI of the request the gateway is asking about. Exactly one header
 * family, complete, each header once: anything else is a misconfigured gateway or a client trying
 * to steer the decision (gateways pass most client headers through to the sub-request, so a
 * client could add the family the gateway does not set) and is answered 400 invalid_request.
 */
export function originalRequest(headers: Headers): { method: string; uri: string } {
  let found: { method: string; uri: string } | null = null;
  for (const family of FAMILIES) {
    const rawMethod = headers[family.method];
    const rawUri = headers[family.uri];
    if (rawMethod === undefined && rawUri === undefined) continue;
    const method = single(rawMethod);
    const uri = single(rawUri);
    if (!method || !uri) throw new InvalidRequest(`forward authentication needs both ${family.name}, each once`);
    if (found) throw new InvalidRequest('forward authentication got both X-Forwarded-* and X-Original-* headers; configure the gateway to send one');
    found = { method, uri };
  }
  if (!found) throw new InvalidRequest('forward authentication needs X-Forwarded-Method and X-Forwarded-Uri, or X-Original-Method and X-Original-URI');
  return found;
}

/** [F2] What an upstream may rely on: who is calling, for which organization, with which scopes. */
function admittedHeaders(principal: Principal, orgId: string | undefined): Record<string, string> {
  if (principal.type === 'service_account') {
    return {
      'x-gatehouse-subject': principal.id,
      'x-gatehouse-subject-type': 'service_account',
      'x-gatehouse-org': principal.orgId,
      'x-gatehouse-scopes': [...principal.scopes].join(' '),
    };
  }
  // [C4] A person is only ever admitted on an organization route, by their role there.
  const scopes = orgId === undefined ? null : principal.scopesIn(orgId);
  return {
    'x-gatehouse-subject': principal.id,
    'x-gatehouse-subject-type': 'user',
    ...(orgId === undefined ? {} : { 'x-gatehouse-org': orgId }),
    'x-gatehouse-scopes': scopes ? [...scopes].join(' ') : '',
  };
}

/**
 * §13 `/api/v1/auth/forward`, any method: a gateway's sub-request (nginx `auth_request`, Caddy
 * `forward_auth`, Traefik ForwardAuth, Envoy `ext_authz` HTTP). The original request is matched
 * against the catalogue's routes once compiled; an unmatched one is 403 (deny by default); a
 * matched one is decided by the one access core with the route's scope, organization parameter
 * [C4] and API audience [C3]. Refusals are §5's (the core's denial mapping, in the error handler).
 *
 * The decision runs in `onRequest`, before any body is read: a sub-request's body (if a gateway
 * sends one) is never the caller's business here, and this is a hot path.
 */
export function forwardAuthRoutes(app: App, deps: { decision: AccessDecision; catalogue: Catalogue }): void {
  const routes = new RouteMatcher(deps.catalogue);
  const decide = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const original = originalRequest(request.headers);
    const match = routes.match(original.method, original.uri);
    if (!match) throw routeNotDeclared();
    const { route, api, params } = match;
    const orgId = route.org === undefined ? undefined : params[route.org];
    // The bearer is read from Authorization and never logged (log-serializers print no header).
    const principal = await deps.decision.check(request.headers.authorization, {
      scope: route.scope,
      audience: api.audience,
      ...(orgId === undefined ? {} : { orgId }),
    });
    void reply
      .code(200)
      .headers({ 'cache-control': 'no-store', ...admittedHeaders(principal, orgId) })
      .send();
  };
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: FORWARD_AUTH_PATH,
    exposeHeadRoute: false,
    schema: {
      tags: ['oauth'],
      summary: 'Forward authentication for gateways (nginx auth_request, Caddy forward_auth, Traefik ForwardAuth)',
      response: {
        200: Type.Null({ description: 'Allowed: an empty body; X-Gatehouse-Subject, -Subject-Type, -Org and -Scopes say who is calling' }),
        ...errorResponses,
      },
    },
    onRequest: decide,
    // Not reached: onRequest always answers or throws.
    handler: async () => {
      throw new Error('forward authentication is answered in onRequest');
    },
  });
}
