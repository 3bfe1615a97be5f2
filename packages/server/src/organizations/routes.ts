import {
  AddMemberBody,
  ChangeRoleBody,
  errorResponses,
  MemberAddedBody,
  MemberBody,
  MemberParams,
  NoContent,
  OrganizationBody,
  OrganizationNameBody,
  OrganizationPatchBody,
  OrgParams,
  Page,
  PageQuery,
} from '@gatehouse/contract';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../audit/events.js';
import type { Capability } from '../catalogue/scopes.js';
import type { Cursors } from '../http/cursor.js';
import { requestContext, type App } from '../http/types.js';
import { currentRole, currentUser, userActor } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import type { Acting, OrganizationService } from './service.js';
import type { Member } from './store.js';

const presentMember = (m: Member) => ({
  userId: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  status: m.deactivated ? ('deactivated' as const) : ('active' as const),
  joinedAt: m.joinedAt,
});

/**
 * §8 `/console/api/orgs` and `/console/api/orgs/{orgId}/members`. Every member may look; owners
 * manage. consoleGuard has checked the session, CSRF and the role in `{orgId}` before any handler.
 */
export function organizationRoutes(
  app: App,
  deps: {
    sessions: SessionService;
    organizations: OrganizationService;
    cursors: Cursors;
    /** [P6] mfa/: require a second factor of the organization's owners and admins. */
    setMfaRequirement: (acting: Acting, orgId: string, required: boolean, ctx: RequestContext) => Promise<void>;
  },
): void {
  const { organizations, cursors } = deps;
  const tags = ['console: organizations'];
  const members = '/console/api/orgs/:orgId/members';
  const owners = { capability: 'members:manage' } as const;
  /** The signed-in user and their role here, 403 without `capability`. */
  const acting = (req: FastifyRequest, capability?: Capability): Acting => {
    const user = currentUser(req);
    return { actor: { ...userActor(user), id: user.id }, role: currentRole(req, capability) };
  };

  app.get('/console/api/orgs', { schema: { tags, response: { 200: Page(OrganizationBody), ...errorResponses } } }, async (req) => {
    const mine = await deps.sessions.memberships(currentUser(req).id);
    return { items: mine.map((m) => ({ id: m.orgId, name: m.orgName, role: m.role })), nextCursor: null };
  });

  app.post(
    '/console/api/orgs',
    { schema: { tags, body: OrganizationNameBody, response: { 201: OrganizationBody, ...errorResponses } } },
    async (req, reply) => {
      const user = currentUser(req);
      reply.code(201);
      return organizations.create({ ...userActor(user), id: user.id }, req.body.name, requestContext(req));
    },
  );

  app.get('/console/api/orgs/:orgId', { schema: { tags, params: OrgParams, response: { 200: OrganizationBody, ...errorResponses } } }, async (req) => {
    const org = await organizations.get(req.params.orgId);
    return { ...org, role: currentRole(req) };
  });

  app.patch(
    '/console/api/orgs/:orgId',
    {
      config: { capability: 'org:manage' },
      schema: { tags, params: OrgParams, body: OrganizationPatchBody, response: { 200: OrganizationBody, ...errorResponses } },
    },
    async (req) => {
      const a = acting(req);
      const { orgId } = req.params;
      if (req.body.name !== undefined) await organizations.rename(a, orgId, req.body.name, requestContext(req));
      if (req.body.requireMfaForAdmins !== undefined) await deps.setMfaRequirement(a, orgId, req.body.requireMfaForAdmins, requestContext(req));
      return { ...(await organizations.get(orgId)), role: a.role };
    },
  );

  app.get(members, { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(MemberBody), ...errorResponses } } }, async (req) =>
    cursors.list(`members:${req.params.orgId}`, req.query, (after, limit) => organizations.listMembers(req.params.orgId, after, limit), {
      present: presentMember,
    }),
  );

  app.post(
    members,
    { config: owners, schema: { tags, params: OrgParams, body: AddMemberBody, response: { 201: MemberAddedBody, ...errorResponses } } },
    async (req, reply) => {
      const added = await organizations.addMember(acting(req), req.params.orgId, req.body, requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return added;
    },
  );

  app.patch(
    `${members}/:userId`,
    { config: owners, schema: { tags, params: MemberParams, body: ChangeRoleBody, response: { 200: MemberBody, ...errorResponses } } },
    async (req) => presentMember(await organizations.changeRole(acting(req), req.params.orgId, req.params.userId, req.body.role, requestContext(req))),
  );

  // Anyone may leave an organization, so the capability is decided here: removing someone else takes members:manage.
  app.delete(`${members}/:userId`, { schema: { tags, params: MemberParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    const self = req.params.userId === currentUser(req).id;
    await organizations.removeMember(acting(req, self ? undefined : 'members:manage'), req.params.orgId, req.params.userId, requestContext(req));
    return reply.code(204).send(null);
  });

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post(
      `${members}/:userId/${action}`,
      { config: owners, schema: { tags, params: MemberParams, response: { 200: MemberBody, ...errorResponses } } },
      async (req) =>
        presentMember(await organizations.setDeactivated(acting(req), req.params.orgId, req.params.userId, action === 'deactivate', requestContext(req))),
    );
  }
}
