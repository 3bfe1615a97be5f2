import { AuditStreamBody, AuditStreamCreateBody, AuditStreamCreatedBody, AuditStreamParams, DeliveryBody } from '@gatehouse/contract';
import type { FastifyRequest } from 'fastify';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, OrgParams, Page, PageQuery } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, userActor } from '../sessions/console-auth.js';
import { presentDelivery } from '../webhooks/routes.js';
import type { WebhookService } from '../webhooks/service.js';
import type { Endpoint, EndpointScope } from '../webhooks/store.js';

const present = (e: Endpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  active: e.active,
  disabledAt: e.disabledAt,
  createdAt: e.createdAt,
  createdBy: e.createdBy,
});

/**
 * [E4] `/console/api/orgs/{orgId}/audit-streams`: an owner (org:manage) points the organization's
 * audit log at an HTTPS endpoint; same signing, retries and delivery log as webhooks.
 */
export function auditStreamRoutes(app: App, deps: { webhooks: WebhookService; cursors: Cursors }): void {
  const { webhooks, cursors } = deps;
  const tags = ['console: audit streams'];
  const base = '/console/api/orgs/:orgId/audit-streams';
  const config = { capability: 'org:manage' } as const;
  const scopeOf = (req: FastifyRequest): EndpointScope => ({ orgId: (req.params as { orgId: string }).orgId, kind: 'audit_stream', ownerId: null });
  const actor = (req: FastifyRequest) => ({ ...userActor(currentUser(req)), id: currentUser(req).id });
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

  app.get(
    base,
    { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(AuditStreamBody), ...errorResponses } }, config },
    async (req) => {
      const scope = scopeOf(req);
      return cursors.list(`audit-streams:${scope.orgId}`, req.query, (after, limit) => webhooks.list(scope, after, limit), { present });
    },
  );

  app.post(
    base,
    { schema: { tags, params: OrgParams, body: AuditStreamCreateBody, response: { 201: AuditStreamCreatedBody, ...errorResponses } }, config },
    async (req, reply) => {
      const { endpoint, secret } = await webhooks.create(scopeOf(req), req.body, actor(req), requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return { ...present(endpoint), secret };
    },
  );

  app.delete(`${base}/:id`, { schema: { tags, params: AuditStreamParams, response: { 204: NoContent, ...errorResponses } }, config }, async (req, reply) => {
    await webhooks.delete(scopeOf(req), idOf(req), actor(req), requestContext(req));
    return reply.code(204).send(null);
  });

  app.post(`${base}/:id/test`, { schema: { tags, params: AuditStreamParams, response: { 202: NoContent, ...errorResponses } }, config }, async (req, reply) => {
    await webhooks.test(scopeOf(req), idOf(req), actor(req), requestContext(req));
    return reply.code(202).send(null);
  });

  app.get(
    `${base}/:id/deliveries`,
    { schema: { tags, params: AuditStreamParams, querystring: PageQuery, response: { 200: Page(DeliveryBody), ...errorResponses } }, config },
    async (req) => {
      const scope = scopeOf(req);
      const id = idOf(req);
      await webhooks.get(scope, id);
      return cursors.list(`audit-stream-deliveries:${id}`, req.query, (after, limit) => webhooks.deliveries(scope, id, after, limit), {
        present: presentDelivery,
      });
    },
  );
}
