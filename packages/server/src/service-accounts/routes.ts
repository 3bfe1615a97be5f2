import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import type { Cursors } from '../http/cursor.js';
import { NoContent, errorResponses, Page, PageQuery } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { consoleSession, currentUser, requireOrgCapability, userActor } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import { AccountParams, CreateBody, CreatedBody, OrgParams, RotateBody, RotatedBody, ServiceAccountBody, UpdateBody } from './schema.js';
import type { ServiceAccountService, ServiceAccountView } from './service.js';

export interface ServiceAccountRouteDeps {
  db: Db;
  sessions: SessionService;
  serviceAccounts: ServiceAccountService;
  cursors: Cursors;
  clock: { now(): Date };
}

/** §8 `/console/api/orgs/{orgId}/service-accounts`: owners and admins only. */
export function serviceAccountRoutes(app: App, deps: ServiceAccountRouteDeps): void {
  const { db, serviceAccounts, cursors } = deps;
  const base = '/console/api/orgs/:orgId/service-accounts';
  const tags = ['console: service accounts'];
  const present = (a: ServiceAccountView) => {
    const now = deps.clock.now().getTime();
    const status = a.disabledAt ? 'disabled' : a.expiresAt && a.expiresAt.getTime() <= now ? 'expired' : 'active';
    return { ...a, clientId: a.id, status } as const;
  };

  app.register(async (scoped) => {
    const s = scoped as App;
    s.addHook('onRequest', consoleSession(deps.sessions));
    /** The signed-in user, if they may manage this organization's service accounts. */
    const manage = async (req: FastifyRequest & { params: { orgId: string } }) => {
      const user = currentUser(req);
      await requireOrgCapability(db, user, req.params.orgId, 'service-accounts:manage');
      return user;
    };

    s.post(base, { schema: { tags, params: OrgParams, body: CreateBody, response: { 201: CreatedBody, ...errorResponses } } }, async (req, reply) => {
      const user = await manage(req);
      const { account, clientSecret } = await serviceAccounts.create(userActor(user), req.params.orgId, req.body, requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return { ...present(account), clientSecret };
    });

    s.get(base, { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(ServiceAccountBody), ...errorResponses } } }, async (req) => {
      await manage(req);
      const limit = req.query.limit ?? 50;
      const scope = `service-accounts:${req.params.orgId}`;
      const rows = await serviceAccounts.list(req.params.orgId, cursors.decode(scope, req.query.cursor), limit + 1);
      const page = cursors.page(scope, rows, limit);
      return { items: page.items.map(present), nextCursor: page.nextCursor };
    });

    s.get(`${base}/:id`, { schema: { tags, params: AccountParams, response: { 200: ServiceAccountBody, ...errorResponses } } }, async (req) => {
      await manage(req);
      return present(await serviceAccounts.get(req.params.orgId, req.params.id));
    });

    s.patch(`${base}/:id`, { schema: { tags, params: AccountParams, body: UpdateBody, response: { 200: ServiceAccountBody, ...errorResponses } } }, async (req) => {
      const user = await manage(req);
      return present(await serviceAccounts.update(userActor(user), req.params.orgId, req.params.id, req.body, requestContext(req)));
    });

    s.post(`${base}/:id/rotate-secret`, { schema: { tags, params: AccountParams, body: RotateBody, response: { 200: RotatedBody, ...errorResponses } } }, async (req, reply) => {
      const user = await manage(req);
      const r = await serviceAccounts.rotateSecret(userActor(user), req.params.orgId, req.params.id, req.body?.graceSeconds, requestContext(req));
      reply.header('cache-control', 'no-store');
      return { clientSecret: r.clientSecret, generation: r.generation, previousSecretExpiresAt: r.previousSecretExpiresAt, serviceAccount: present(r.account) };
    });

    for (const action of ['disable', 'enable'] as const) {
      s.post(`${base}/:id/${action}`, { schema: { tags, params: AccountParams, response: { 200: ServiceAccountBody, ...errorResponses } } }, async (req) => {
        const user = await manage(req);
        return present(await serviceAccounts[action](userActor(user), req.params.orgId, req.params.id, requestContext(req)));
      });
    }

    s.delete(`${base}/:id`, { schema: { tags, params: AccountParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
      const user = await manage(req);
      await serviceAccounts.delete(userActor(user), req.params.orgId, req.params.id, requestContext(req));
      return reply.code(204).send(null);
    });
  });
}
