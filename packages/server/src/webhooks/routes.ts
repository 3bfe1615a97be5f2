import { DeliveryBody } from '@gatehouse/contract';
import type { FastifyRequest } from 'fastify';
import type { AccessDecision } from '../access/access-decision.js';
import { currentPrincipal, principalActor, requireScope } from '../access/hooks.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, Page, PageQuery } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import type { WebhookService } from './service.js';
import { CreateBody, CreatedBody, DeliveryParams, IdParams, RotatedBody, UpdateBody, WebhookBody } from './schema.js';
import type { Attempt, Delivery, Endpoint, EndpointScope } from './store.js';

const SCOPE = 'webhooks:manage';

export const presentEndpoint = (e: Endpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  ...(e.description !== null ? { description: e.description } : {}),
  active: e.active,
  disabledAt: e.disabledAt,
  createdAt: e.createdAt,
  createdBy: e.createdBy,
  updatedAt: e.updatedAt,
  updatedBy: e.updatedBy,
});

export const presentDelivery = (d: Delivery & { lastAttempt: Attempt | null }) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  ...(d.eventIds ? { eventCount: d.eventIds.length, eventTypes: d.eventTypes ?? [] } : {}),
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  createdAt: d.createdAt,
  lastAttempt: d.lastAttempt && {
    attemptedAt: d.lastAttempt.attemptedAt,
    outcome: d.lastAttempt.outcome,
    statusCode: d.lastAttempt.statusCode,
    latencyMs: d.lastAttempt.latencyMs,
    excerpt: d.lastAttempt.excerpt,
  },
});

/**
 * [E1] [E3] `/api/v1/webhooks`: a service account's own subscriptions (another account's are not
 * there, 404), their delivery log and redelivery. Same paths as the record-store version had.
 */
export function webhookRoutes(app: App, deps: { webhooks: WebhookService; decision: AccessDecision; cursors: Cursors }): void {
  const { webhooks, cursors } = deps;
  const tags = ['webhooks'];
  const onRequest = requireScope(deps.decision, SCOPE);
  const scopeOf = (req: FastifyRequest): EndpointScope => {
    const p = currentPrincipal(req);
    return { orgId: p.orgId, kind: 'webhook', ownerId: p.id };
  };
  const actor = (req: FastifyRequest) => ({ ...principalActor(currentPrincipal(req)), id: currentPrincipal(req).id });
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  const listKey = (s: EndpointScope) => `webhooks:${s.orgId}:${s.ownerId}`;

  app.get('/api/v1/webhooks', { schema: { tags, querystring: PageQuery, response: { 200: Page(WebhookBody), ...errorResponses } }, onRequest }, async (req) => {
    const scope = scopeOf(req);
    return cursors.list(listKey(scope), req.query, (after, limit) => webhooks.list(scope, after, limit), { present: presentEndpoint });
  });

  app.post('/api/v1/webhooks', { schema: { tags, body: CreateBody, response: { 201: CreatedBody, ...errorResponses } }, onRequest }, async (req, reply) => {
    const { endpoint, secret } = await webhooks.create(scopeOf(req), req.body, actor(req), requestContext(req));
    reply.code(201).header('cache-control', 'no-store');
    return { ...presentEndpoint(endpoint), secret };
  });

  app.get('/api/v1/webhooks/:id', { schema: { tags, params: IdParams, response: { 200: WebhookBody, ...errorResponses } }, onRequest }, async (req) =>
    presentEndpoint(await webhooks.get(scopeOf(req), idOf(req))),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    { schema: { tags, params: IdParams, body: UpdateBody, response: { 200: WebhookBody, ...errorResponses } }, onRequest },
    async (req) => presentEndpoint(await webhooks.update(scopeOf(req), idOf(req), req.body, actor(req), requestContext(req))),
  );

  app.delete('/api/v1/webhooks/:id', { schema: { tags, params: IdParams, response: { 204: NoContent, ...errorResponses } }, onRequest }, async (req, reply) => {
    await webhooks.delete(scopeOf(req), idOf(req), actor(req), requestContext(req));
    return reply.code(204).send(null);
  });

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    { schema: { tags, params: IdParams, response: { 200: RotatedBody, ...errorResponses } }, onRequest },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return webhooks.rotateSecret(scopeOf(req), idOf(req), actor(req), requestContext(req));
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    { schema: { tags, params: IdParams, querystring: PageQuery, response: { 200: Page(DeliveryBody), ...errorResponses } }, onRequest },
    async (req) => {
      const scope = scopeOf(req);
      const id = idOf(req);
      await webhooks.get(scope, id);
      return cursors.list(`webhook-deliveries:${id}`, req.query, (after, limit) => webhooks.deliveries(scope, id, after, limit), { present: presentDelivery });
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    { schema: { tags, params: DeliveryParams, response: { 202: NoContent, ...errorResponses } }, onRequest },
    async (req, reply) => {
      const { id, deliveryId } = req.params as { id: string; deliveryId: string };
      await webhooks.redeliver(scopeOf(req), id, deliveryId);
      return reply.code(202).send(null);
    },
  );
}
