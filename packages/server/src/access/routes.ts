import { Type } from '@sinclair/typebox';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';
import type { AccessDecision } from './access-decision.js';
import { currentPrincipal, requireToken } from './hooks.js';

const ValidBody = Type.Object({
  valid: Type.Literal(true),
  serviceAccount: Type.Object({ id: Type.String(), name: Type.String() }),
  orgId: Type.String(),
});

/**
 * `GET /api/v1/auth/validate`: a "test connection" check for integrations. 200 when the bearer
 * token would be accepted right now, else the same 401 every API gives. It says who the caller is
 * and nothing about the token itself (no scopes, no expiry): there is no introspection [A11].
 */
export function accessRoutes(app: App, deps: { decision: AccessDecision }): void {
  app.get(
    '/api/v1/auth/validate',
    {
      schema: { tags: ['oauth'], summary: 'Check that a bearer token is accepted', response: { 200: ValidBody, ...errorResponses } },
      onRequest: requireToken(deps.decision),
    },
    async (req, reply) => {
      const p = currentPrincipal(req);
      reply.header('cache-control', 'no-store');
      return { valid: true as const, serviceAccount: { id: p.id, name: p.name }, orgId: p.orgId };
    },
  );
}
