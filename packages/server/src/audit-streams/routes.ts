import { AuditStreamBody, AuditStreamCreateBody, AuditStreamCreatedBody, AuditStreamParams, AuditStreamUpdateBody, DeliveryBody } from '@gatehouse/contract';
import type { FastifyRequest } from 'fastify';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, OrgParams, Page, PageQuery } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { DOORS } from '../manage/manage-auth.js';
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

interface AuditStreamRouteDeps {
  webhooks: WebhookService;
  cursors: Cursors;
}

/**
 * [E4] `/console/api/orgs/{orgId}/audit-streams` and [M1] `/manage/v1/orgs/{orgId}/audit-streams`:
 * an owner points the organization's audit log at an HTTPS endpoint; same signing, retries and
 * delivery log as webhooks. One set of handlers behind both doors: the door's guard checks the role
 * (org:manage: owners) and, on /manage/v1, the token's `manage:organization` [M2].
 */
export function auditStreamRoutes(app: App, deps: AuditStreamRouteDeps): void {
  for (const { door, prefix } of DOORS) doorRoutes(app, deps, prefix, [`${door}: audit streams`]);
}

function doorRoutes(app: App, deps: AuditStreamRouteDeps, prefix: string, tags: string[]): void {
  const { webhooks, cursors } = deps;
  const base = `${prefix}/orgs/:orgId/audit-streams`;
  const config = { capability: 'org:manage', manage: { scope: 'manage:organization' } } as const;
  const scopeOf = (req: FastifyRequest): EndpointScope => ({ orgId: (req.params as { orgId: string }).orgId, kind: 'audit_stream', ownerId: null });
  // The person behind the session or the token: both doors audit the same actor.
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
      // [E1] The signing secret is in this answer and nowhere else.
      reply.code(201).header('cache-control', 'no-store');
      return { ...present(endpoint), secret };
    },
  );

  app.get(`${base}/:id`, { schema: { tags, params: AuditStreamParams, response: { 200: AuditStreamBody, ...errorResponses } }, config }, async (req) =>
    present(await webhooks.get(scopeOf(req), idOf(req))),
  );

  // [E3] `active: true` resumes a stream that was switched off, or disabled after 3 days of failures.
  app.patch(
    `${base}/:id`,
    { schema: { tags, params: AuditStreamParams, body: AuditStreamUpdateBody, response: { 200: AuditStreamBody, ...errorResponses } }, config },
    async (req) => present(await webhooks.update(scopeOf(req), idOf(req), req.body, actor(req), requestContext(req))),
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
