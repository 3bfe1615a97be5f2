import { errorResponses, MeBody, NoContent, Page, ScopeInfoBody, SessionBody, SignInBody } from '@gatehouse/contract';
import { SCOPE_CATALOGUE } from '../catalogue/scopes.js';
import type { Config } from '../config.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, SESSION_COOKIE } from './console-auth.js';
import { SESSION_SECONDS, type SessionService } from './service.js';

/** §8: sign in, the session, sign out, `/me`, and the scope catalogue the console's picker shows. */
export function sessionRoutes(app: App, deps: { sessions: SessionService; config: Config }): void {
  const { sessions } = deps;
  const tags = ['console: session'];
  const secure = deps.config.issuer.startsWith('https://');

  // Signing in is the one console call made without a session.
  app.post(
    '/console/api/session',
    {
      config: { session: 'none' },
      schema: { tags, summary: 'Sign in with email and password', body: SignInBody, response: { 200: SessionBody, ...errorResponses } },
    },
    async (req, reply) => {
      const result = await sessions.signIn(req.body.email, req.body.password, requestContext(req));
      reply
        .setCookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_SECONDS })
        .header('cache-control', 'no-store');
      return { csrfToken: result.csrfToken, user: result.user, memberships: result.memberships };
    },
  );

  // The console page reloads and needs its CSRF token back; the cookie itself is HttpOnly.
  app.get(
    '/console/api/session',
    { schema: { tags, summary: 'The current session and its CSRF token', response: { 200: SessionBody, ...errorResponses } } },
    async (req, reply) => {
      const user = currentUser(req);
      reply.header('cache-control', 'no-store');
      return { csrfToken: req.csrfToken!, user, memberships: await sessions.memberships(user.id) };
    },
  );

  app.delete('/console/api/session', { schema: { tags, summary: 'Sign out', response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    const sessionId = req.cookies[SESSION_COOKIE];
    if (sessionId) await sessions.signOut(currentUser(req), sessionId, requestContext(req));
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204).send(null);
  });

  app.get('/console/api/me', { schema: { tags, summary: 'The signed-in person', response: { 200: MeBody, ...errorResponses } } }, async (req) => {
    const user = currentUser(req);
    return { user, memberships: await sessions.memberships(user.id) };
  });

  app.get('/console/api/scopes', { schema: { tags, summary: 'The scope catalogue', response: { 200: Page(ScopeInfoBody), ...errorResponses } } }, async () => ({
    items: [...SCOPE_CATALOGUE],
    nextCursor: null,
  }));
}
