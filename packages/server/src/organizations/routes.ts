import { Type, type TLiteral } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ROLES, type Capability, type Role } from '../catalogue/scopes.js';
import type { Db } from '../db/db.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, OrgId, OrgParams, Page, PageQuery, Timestamp } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { consoleSession, currentUser, requireOrgCapability, userActor } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import type { Acting, OrganizationService } from './service.js';
import type { Member } from './store.js';

// The role list is data (catalogue/scopes.ts); the cast keeps the static type a Role.
const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)) as unknown as [TLiteral<Role>]);
const OrgBody = Type.Object({ id: Type.String(), name: Type.String(), role: RoleName, createdAt: Type.Optional(Timestamp) });
const NameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const MemberParams = Type.Object({ orgId: OrgId, userId: Type.String({ maxLength: 64 }) });
const MemberBody = Type.Object({
  userId: Type.String(), email: Type.String(), name: Type.String(), role: RoleName,
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]), joinedAt: Timestamp,
});
const AddBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 254 }),
  role: RoleName,
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, { additionalProperties: false });
const AddedBody = Type.Object({ userId: Type.String(), email: Type.String(), role: RoleName, initialPassword: Type.Optional(Type.String()) });
const RoleBody = Type.Object({ role: RoleName }, { additionalProperties: false });

const presentMember = (m: Member) => ({
  userId: m.id, email: m.email, name: m.name, role: m.role, status: m.deactivated ? 'deactivated' as const : 'active' as const, joinedAt: m.joinedAt,
});

/** §8 `/console/api/orgs` and `/console/api/orgs/{orgId}/members`. Every member may look; owners manage. */
export function organizationRoutes(app: App, deps: { db: Db; sessions: SessionService; organizations: OrganizationService; cursors: Cursors }): void {
  const { db, organizations, cursors } = deps;
  const tags = ['console: organizations'];
  const members = '/console/api/orgs/:orgId/members';

  app.register(async (scoped) => {
    const s = scoped as App;
    s.addHook('onRequest', consoleSession(deps.sessions));
    /** The signed-in user and their role here: 404 without one, 403 without `capability`. */
    const acting = async (req: FastifyRequest & { params: { orgId: string } }, capability?: Capability): Promise<Acting> => {
      const user = currentUser(req);
      const role = await requireOrgCapability(db, user, req.params.orgId, capability);
      return { actor: { ...userActor(user), id: user.id }, role };
    };

    s.get('/console/api/orgs', { schema: { tags, response: { 200: Page(OrgBody), ...errorResponses } } }, async (req) => {
      const mine = await deps.sessions.memberships(currentUser(req).id);
      return { items: mine.map((m) => ({ id: m.orgId, name: m.orgName, role: m.role })), nextCursor: null };
    });

    s.post('/console/api/orgs', { schema: { tags, body: NameBody, response: { 201: OrgBody, ...errorResponses } } }, async (req, reply) => {
      const user = currentUser(req);
      reply.code(201);
      return organizations.create({ ...userActor(user), id: user.id }, req.body.name, requestContext(req));
    });

    s.get('/console/api/orgs/:orgId', { schema: { tags, params: OrgParams, response: { 200: OrgBody, ...errorResponses } } }, async (req) => {
      const { role } = await acting(req);
      const org = await organizations.get(req.params.orgId);
      return { ...org, role };
    });

    s.patch('/console/api/orgs/:orgId', { schema: { tags, params: OrgParams, body: NameBody, response: { 200: OrgBody, ...errorResponses } } }, async (req) =>
      organizations.rename(await acting(req, 'org:manage'), req.params.orgId, req.body.name, requestContext(req)));

    s.get(members, { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(MemberBody), ...errorResponses } } }, async (req) => {
      await acting(req);
      const limit = req.query.limit ?? 50;
      const scope = `members:${req.params.orgId}`;
      const rows = await organizations.listMembers(req.params.orgId, cursors.decode(scope, req.query.cursor), limit + 1);
      const page = cursors.page(scope, rows, limit);
      return { items: page.items.map(presentMember), nextCursor: page.nextCursor };
    });

    s.post(members, { schema: { tags, params: OrgParams, body: AddBody, response: { 201: AddedBody, ...errorResponses } } }, async (req, reply) => {
      const added = await organizations.addMember(await acting(req, 'members:manage'), req.params.orgId, req.body, requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return added;
    });

    s.patch(`${members}/:userId`, { schema: { tags, params: MemberParams, body: RoleBody, response: { 200: MemberBody, ...errorResponses } } }, async (req) =>
      presentMember(await organizations.changeRole(await acting(req, 'members:manage'), req.params.orgId, req.params.userId, req.body.role, requestContext(req))));

    s.delete(`${members}/:userId`, { schema: { tags, params: MemberParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
      // Anyone may leave an organization; removing someone else takes members:manage.
      const self = req.params.userId === currentUser(req).id;
      await organizations.removeMember(await acting(req, self ? undefined : 'members:manage'), req.params.orgId, req.params.userId, requestContext(req));
      return reply.code(204).send(null);
    });

    for (const action of ['deactivate', 'reactivate'] as const) {
      s.post(`${members}/:userId/${action}`, { schema: { tags, params: MemberParams, response: { 200: MemberBody, ...errorResponses } } }, async (req) =>
        presentMember(await organizations.setDeactivated(
          await acting(req, 'members:manage'), req.params.orgId, req.params.userId, action === 'deactivate', requestContext(req),
        )));
    }
  });
}
