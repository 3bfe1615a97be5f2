import {
  ChangeRoleBody,
  errorResponses,
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
import { DOORS, type Door } from '../manage/manage-auth.js';
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
 * §8 `/console/api/orgs` and `/console/api/orgs/{orgId}/members`, and the same handlers at [M1]
 * `/manage/v1/...`. Every member may look; owners manage. The door's guard (consoleGuard, or
 * manageGuard with the token's [M2] management scope) has checked the caller and the role in
 * `{orgId}` before any handler.
 */
/** The organization routes' dependencies; `setMfaRequirement` is [P6] mfa/'s: require a second factor of owners and admins. */
interface OrganizationRouteDeps {
  sessions: SessionService;
  organizations: OrganizationService;
  cursors: Cursors;
  setMfaRequirement: (acting: Acting, orgId: string, required: boolean, ctx: RequestContext) => Promise<void>;
}

export function organizationRoutes(app: App, deps: OrganizationRouteDeps): void {
  for (const { door, prefix } of DOORS) doorRoutes(app, deps, door, prefix);
}

function doorRoutes(app: App, deps: OrganizationRouteDeps, door: Door, prefix: string): void {
  const { organizations, cursors } = deps;
  const tags = [`${door}: organizations`];
  const members = `${prefix}/orgs/:orgId/members`;
  const owners = { capability: 'members:manage', manage: { scope: 'manage:members' } } as const;
  /** The signed-in user and their role here, 403 without `capability`. */
  const acting = (req: FastifyRequest, capability?: Capability): Acting => {
    const user = currentUser(req);
    return { actor: { ...userActor(user), id: user.id }, role: currentRole(req, capability) };
  };

  app.get(`${prefix}/orgs`, { schema: { tags, response: { 200: Page(OrganizationBody), ...errorResponses } } }, async (req) => {
    // [B8] A token narrowed to some organizations lists only those.
    const reach = req.principal?.type === 'user' ? req.principal : null;
    const mine = (await deps.sessions.memberships(currentUser(req).id)).filter((m) => !reach || reach.scopesIn(m.orgId));
    return { items: mine.map((m) => ({ id: m.orgId, name: m.orgName, role: m.role })), nextCursor: null };
  });

  app.post(
    `${prefix}/orgs`,
    // [M2] On /manage/v1 creating an organization takes manage:organization in the token.
    {
      config: { manage: { scope: 'manage:organization' } },
      schema: { tags, body: OrganizationNameBody, response: { 201: OrganizationBody, ...errorResponses } },
    },
    async (req, reply) => {
      const user = currentUser(req);
      reply.code(201);
      return organizations.create({ ...userActor(user), id: user.id }, req.body.name, requestContext(req));
    },
  );

  app.get(`${prefix}/orgs/:orgId`, { schema: { tags, params: OrgParams, response: { 200: OrganizationBody, ...errorResponses } } }, async (req) => {
    const org = await organizations.get(req.params.orgId);
    return { ...org, role: currentRole(req) };
  });

  app.patch(
    `${prefix}/orgs/:orgId`,
    {
      config: { capability: 'org:manage', manage: { scope: 'manage:organization' } },
      schema: { tags, params: OrgParams, body: OrganizationPatchBody, response: { 200: OrganizationBody, ...errorResponses } },
    },
    async (req) => {
      const a = acting(req);
      const { orgId } = req.params;
      if (req.body.name !== undefined) await organizations.rename(a, orgId, req.body.name, requestContext(req));
      if (req.body.requireMfaForAdmins !== undefined) await deps.setMfaRequirement(a, orgId, req.body.requireMfaForAdmins, requestContext(req));
      if (req.body.secretRotationDays !== undefined) await organizations.setSecretRotationDays(a, orgId, req.body.secretRotationDays, requestContext(req));
      return { ...(await organizations.get(orgId)), role: a.role };
    },
  );

  app.get(members, { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(MemberBody), ...errorResponses } } }, async (req) =>
    cursors.list(`members:${req.params.orgId}`, req.query, (after, limit) => organizations.listMembers(req.params.orgId, after, limit), {
      present: presentMember,
    }),
  );

  app.patch(
    `${members}/:userId`,
    { config: owners, schema: { tags, params: MemberParams, body: ChangeRoleBody, response: { 200: MemberBody, ...errorResponses } } },
    async (req) => presentMember(await organizations.changeRole(acting(req), req.params.orgId, req.params.userId, req.body.role, requestContext(req))),
  );

  // Anyone may leave an organization, so the capability is decided here: removing someone else takes members:manage.
  const leaving = (req: FastifyRequest, personId: string) => (req.params as { userId: string }).userId === personId;
  app.delete(
    `${members}/:userId`,
    {
      config: { manage: { scope: (req: FastifyRequest, personId: string) => (leaving(req, personId) ? undefined : 'manage:members') } },
      schema: { tags, params: MemberParams, response: { 204: NoContent, ...errorResponses } },
    },
    async (req, reply) => {
      await organizations.removeMember(
        acting(req, leaving(req, currentUser(req).id) ? undefined : 'members:manage'),
        req.params.orgId,
        req.params.userId,
        requestContext(req),
      );
      return reply.code(204).send(null);
    },
  );

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post(
      `${members}/:userId/${action}`,
      { config: owners, schema: { tags, params: MemberParams, response: { 200: MemberBody, ...errorResponses } } },
      async (req) =>
        presentMember(await organizations.setDeactivated(acting(req), req.params.orgId, req.params.userId, action === 'deactivate', requestContext(req))),
    );
  }
}
