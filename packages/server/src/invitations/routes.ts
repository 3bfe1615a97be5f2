import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, OrgParams, Page, PageQuery } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { DOORS } from '../manage/manage-auth.js';
import { authenticateConsole, currentRole, currentUser, refuseCrossSite, userActor } from '../sessions/console-auth.js';
import { setSessionCookie } from '../sessions/routes.js';
import type { SessionService } from '../sessions/service.js';
import type { Acting } from '../organizations/service.js';
import { AcceptBody, AcceptedBody, CreateBody, CreatedBody, InvitationBody, InvitationParams, PreviewBody, SecretParams } from './schema.js';
import type { InvitationService } from './service.js';
import type { Invitation } from './store.js';

const present = (i: Invitation) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
  invitedBy: { id: i.invitedBy, name: i.inviterName },
});

/**
 * §11 [P1]–[P3]: owners invite (`/console/api/orgs/{orgId}/invitations`); whoever holds the link
 * looks at it and accepts it (`/console/api/invitations/{secret}`), signed in or not.
 */
export function invitationRoutes(app: App, deps: { sessions: SessionService; invitations: InvitationService; cursors: Cursors; config: Config }): void {
  const { sessions, invitations } = deps;
  const tags = ['console: invitations'];
  const issuerOrigin = new URL(deps.config.issuer).origin;
  // [P1] [M1] Inviting, listing and revoking: the same handlers at /console/api and /manage/v1.
  for (const { door, prefix } of DOORS) orgInvitationRoutes(app, deps, prefix, [`${door}: invitations`]);

  // [P3] No session needed to look; the secret in the path is the credential (http/log-serializers.ts masks it in request logs).
  app.get(
    '/console/api/invitations/:secret',
    { schema: { tags, params: SecretParams, response: { 200: PreviewBody, ...errorResponses } }, config: { session: 'none' } },
    async (req, reply) => {
      const { invitation, orgName } = await invitations.preview(req.params.secret);
      reply.header('cache-control', 'no-store');
      return {
        organization: { id: invitation.orgId, name: orgName },
        email: invitation.email,
        role: invitation.role,
        invitedBy: { name: invitation.inviterName },
        expiresAt: invitation.expiresAt,
      };
    },
  );

  app.post(
    '/console/api/invitations/:secret/accept',
    {
      schema: { tags, params: SecretParams, body: AcceptBody, response: { 200: AcceptedBody, 201: AcceptedBody, ...errorResponses } },
      // Open to a newcomer (no session) and to an existing account (its session, checked below).
      config: { session: 'none' },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      refuseCrossSite(req, issuerOrigin); // [P7] accepting may sign a new account in: no login CSRF
      // Signed in: consent of an existing account, with the CSRF check of every console write (§8).
      const sessionId = req.cookies[sessions.cookieName];
      const session = await sessions.resolve(sessionId);
      if (session && sessionId) {
        await authenticateConsole(sessions, req);
        const accepted = await invitations.accept(req.params.secret, { signedIn: session.user }, requestContext(req));
        return { user: session.user, memberships: await sessions.memberships(accepted.userId) };
      }
      const accepted = await invitations.accept(req.params.secret, req.body, requestContext(req));
      // The new account is signed in exactly as POST /console/api/session does it.
      const signedIn = await sessions.signIn(accepted.email, req.body.password!, requestContext(req));
      // [P6] A brand-new account has no second factor yet, so this never waits for one.
      if (signedIn.mfaRequired) throw new ApiError('unauthenticated', 'sign in to finish');
      setSessionCookie(reply.code(201), sessions, deps.config, signedIn.sessionId);
      return { csrfToken: signedIn.csrfToken, user: signedIn.user, memberships: signedIn.memberships };
    },
  );
}

function orgInvitationRoutes(app: App, deps: { invitations: InvitationService; cursors: Cursors }, prefix: string, tags: string[]): void {
  const { invitations, cursors } = deps;
  const base = `${prefix}/orgs/:orgId/invitations`;
  /** [P1] Owners only: the guard answers 404 without a role here and 403 without members:manage ([M2] manage:members). */
  const owner = { capability: 'members:manage', manage: { scope: 'manage:members' } } as const;
  const acting = (req: Parameters<typeof currentUser>[0]): Acting => {
    const user = currentUser(req);
    return { actor: { ...userActor(user), id: user.id }, role: currentRole(req, 'members:manage') };
  };

  app.post(
    base,
    { schema: { tags, params: OrgParams, body: CreateBody, response: { 201: CreatedBody, ...errorResponses } }, config: owner },
    async (req, reply) => {
      const { invitation, inviteUrl, mailed } = await invitations.create(
        acting(req),
        req.params.orgId,
        { ...req.body, inviterName: currentUser(req).name },
        requestContext(req),
      );
      // The link is the credential: never logged, not even the SMTP error that might quote it.
      mailed?.catch((err: { code?: unknown }) => req.log.warn({ invitationId: invitation.id, code: err.code }, 'the invitation mail could not be sent'));
      reply.code(201).header('cache-control', 'no-store');
      return { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt, inviteUrl, mailed: mailed !== null };
    },
  );

  app.get(
    base,
    { schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(InvitationBody), ...errorResponses } }, config: owner },
    async (req) => cursors.list(`invitations:${req.params.orgId}`, req.query, (after, limit) => invitations.list(req.params.orgId, after, limit), { present }),
  );

  app.delete(
    `${base}/:id`,
    { schema: { tags, params: InvitationParams, response: { 204: NoContent, ...errorResponses } }, config: owner },
    async (req, reply) => {
      await invitations.revoke(acting(req), req.params.orgId, req.params.id, requestContext(req));
      return reply.code(204).send(null);
    },
  );
}
