import {
  CatalogueBody,
  ConsoleSessionBody,
  ConsoleSessionParams,
  errorResponses,
  MeBody,
  MfaRequiredBody,
  NoContent,
  Page,
  SessionBody,
  SignInBody,
} from '@gatehouse/contract';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Config } from '../config.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, refuseCrossSite, sessionCookie } from './console-auth.js';
import { SESSION_SECONDS, type SessionService } from './service.js';
import { setPendingMfaCookie } from '../mfa/routes.js';

/**
 * Sets the session cookie (§8, [P7]): HttpOnly, SameSite=Strict, and over https Secure with the
 * `__Host-` prefix (Path=/, no Domain), so no sibling host can plant or overwrite it.
 */
export function setSessionCookie(reply: FastifyReply, sessions: SessionService, config: Config, sessionId: string): void {
  const secure = config.issuer.startsWith('https://');
  reply.setCookie(sessions.cookieName, sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_SECONDS });
}

/** §8: sign in, the session, sign out, `/me`, [P7] the person's sessions, and the scope catalogue the console's picker shows. */
export function sessionRoutes(app: App, deps: { sessions: SessionService; config: Config; catalogue: ScopeCatalogue }): void {
  const { sessions, config } = deps;
  const tags = ['console: session'];
  const issuerOrigin = new URL(config.issuer).origin;
  const duringPasswordChange = true as const;

  // Signing in is the one console call made without a session.
  app.post(
    '/console/api/session',
    {
      config: { session: 'none' },
      schema: { tags, body: SignInBody, response: { 200: Type.Union([SessionBody, MfaRequiredBody]), ...errorResponses } },
    },
    async (req, reply) => {
      refuseCrossSite(req, issuerOrigin); // [P7] login CSRF
      const result = await sessions.signIn(req.body.email, req.body.password, requestContext(req));
      // [P6] A factor enrolled: only the pending second-factor step, no session yet.
      if (result.mfaRequired) {
        setPendingMfaCookie(reply, result.pendingId, config);
        return { mfaRequired: true as const, methods: result.methods as Array<'totp' | 'passkey' | 'recovery'> };
      }
      setSessionCookie(reply, sessions, config, result.sessionId);
      reply.header('cache-control', 'no-store');
      return {
        csrfToken: result.csrfToken,
        user: result.user,
        memberships: result.memberships,
        ...(result.passwordChangeRequired ? { passwordChangeRequired: true } : {}),
      };
    },
  );

  // The console page reloads and needs its CSRF token back; the cookie itself is HttpOnly.
  app.get(
    '/console/api/session',
    { config: { duringPasswordChange }, schema: { tags, response: { 200: SessionBody, ...errorResponses } } },
    async (req, reply) => {
      const user = currentUser(req);
      reply.header('cache-control', 'no-store');
      const resolved = await sessions.resolve(sessionCookie(sessions, req));
      return {
        csrfToken: req.csrfToken!,
        user,
        memberships: await sessions.memberships(user.id),
        ...(resolved?.passwordChangeRequired ? { passwordChangeRequired: true } : {}),
      };
    },
  );

  app.delete(
    '/console/api/session',
    { config: { duringPasswordChange }, schema: { tags, response: { 204: NoContent, ...errorResponses } } },
    async (req, reply) => {
      const sessionId = sessionCookie(sessions, req);
      if (sessionId) await sessions.signOut(currentUser(req), sessionId, requestContext(req));
      return reply.clearCookie(sessions.cookieName, { path: '/' }).code(204).send(null);
    },
  );

  app.get('/console/api/me', { config: { duringPasswordChange }, schema: { tags, response: { 200: MeBody, ...errorResponses } } }, async (req) => {
    const user = currentUser(req);
    return { user, memberships: await sessions.memberships(user.id) };
  });

  // [P7] The person's own sessions: device, address, last seen; end one, or all the others.
  app.get('/console/api/me/sessions', { schema: { tags, response: { 200: Page(ConsoleSessionBody), ...errorResponses } } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return { items: await sessions.list(currentUser(req).id, req.consoleSessionId!), nextCursor: null };
  });

  app.delete(
    '/console/api/me/sessions/:id',
    { schema: { tags, params: ConsoleSessionParams, response: { 204: NoContent, ...errorResponses } } },
    async (req, reply) => {
      await sessions.end(currentUser(req), req.params.id, requestContext(req));
      if (req.params.id === req.consoleSessionId) reply.clearCookie(sessions.cookieName, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.delete('/console/api/me/sessions', { schema: { tags, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    await sessions.endOthers(currentUser(req), sessionCookie(sessions, req)!, requestContext(req));
    return reply.code(204).send(null);
  });

  // [C5] The loaded catalogue: the picker's scopes and descriptions, grouped by API, and the role table.
  const apis = deps.catalogue.data.apis.map((a) => ({
    id: a.id,
    audience: a.audience,
    ...(a.description !== undefined ? { description: a.description } : {}),
    scopes: a.scopes.map((s) => ({ scope: s.name, description: s.description, api: a.id })),
  }));
  const body = { items: apis.flatMap((a) => a.scopes), nextCursor: null, apis, roles: roleLists(deps.catalogue) };
  app.get('/console/api/scopes', { schema: { tags, response: { 200: CatalogueBody, ...errorResponses } } }, async () => body);
}

const roleLists = (catalogue: ScopeCatalogue) => {
  const { viewer, member, admin, owner } = catalogue.data.roles;
  return { viewer: [...viewer], member: [...member], admin: [...admin], owner: [...owner] };
};
