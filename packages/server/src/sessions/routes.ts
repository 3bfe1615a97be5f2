import { errorResponses, MeBody, MfaRequiredBody, NoContent, Page, ScopeInfoBody, SessionBody, SignInBody } from '@gatehouse/contract';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { SCOPE_CATALOGUE } from '../catalogue/scopes.js';
import type { Config } from '../config.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, SESSION_COOKIE } from './console-auth.js';
import { SESSION_SECONDS, type SessionService } from './service.js';
import { setPendingMfaCookie } from '../mfa/routes.js';

/** The session cookie (§8): HttpOnly, SameSite=Strict, Secure behind https. Set by sign-in and [P6] its MFA step. */
export function setSessionCookie(reply: FastifyReply, sessionId: string, config: Config): FastifyReply {
  const secure = config.issuer.startsWith('https://');
  return reply
    .setCookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_SECONDS })
    .header('cache-control', 'no-store');
}

/** §8: sign in, the session, sign out, `/me`, and the scope catalogue the console's picker shows. */
export function sessionRoutes(app: App, deps: { sessions: SessionService; config: Config }): void {
  const { sessions } = deps;
  const tags = ['console: session'];

  // Signing in is the one console call made without a session.
  app.post(
    '/console/api/session',
    {
      config: { session: 'none' },
      schema: { tags, body: SignInBody, response: { 200: Type.Union([SessionBody, MfaRequiredBody]), ...errorResponses } },
    },
    async (req, reply) => {
      const result = await sessions.signIn(req.body.email, req.body.password, requestContext(req));
      // [P6] A factor enrolled: only the pending second-factor step, no session yet.
      if (result.mfaRequired) {
        setPendingMfaCookie(reply, result.pendingId, deps.config);
        return { mfaRequired: true as const, methods: result.methods as Array<'totp' | 'passkey' | 'recovery'> };
      }
      setSessionCookie(reply, result.sessionId, deps.config);
      return { csrfToken: result.csrfToken, user: result.user, memberships: result.memberships };
    },
  );

  // The console page reloads and needs its CSRF token back; the cookie itself is HttpOnly.
  app.get('/console/api/session', { schema: { tags, response: { 200: SessionBody, ...errorResponses } } }, async (req, reply) => {
    const user = currentUser(req);
    reply.header('cache-control', 'no-store');
    return { csrfToken: req.csrfToken!, user, memberships: await sessions.memberships(user.id) };
  });

  app.delete('/console/api/session', { schema: { tags, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    const sessionId = req.cookies[SESSION_COOKIE];
    if (sessionId) await sessions.signOut(currentUser(req), sessionId, requestContext(req));
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204).send(null);
  });

  app.get('/console/api/me', { schema: { tags, response: { 200: MeBody, ...errorResponses } } }, async (req) => {
    const user = currentUser(req);
    return { user, memberships: await sessions.memberships(user.id) };
  });

  app.get('/console/api/scopes', { schema: { tags, response: { 200: Page(ScopeInfoBody), ...errorResponses } } }, async () => ({
    items: [...SCOPE_CATALOGUE],
    nextCursor: null,
  }));
}
