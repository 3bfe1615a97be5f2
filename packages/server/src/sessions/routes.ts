import { Type } from '@sinclair/typebox';
import { SCOPE_CATALOGUE } from '../catalogue/scopes.js';
import type { Config } from '../config.js';
import { NoContent, errorResponses } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { consoleSession, currentUser, SESSION_COOKIE } from './console-auth.js';
import { SESSION_SECONDS, type SessionService } from './service.js';

const User = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });
const Membership = Type.Object({ orgId: Type.String(), orgName: Type.String(), role: Type.String() });
const SessionBody = Type.Object({ csrfToken: Type.String(), user: User, memberships: Type.Array(Membership) });
const MeBody = Type.Object({ user: User, memberships: Type.Array(Membership) });

/** §8: sign in, the session, sign out, `/me`, and the scope catalogue the console's picker shows. */
export function sessionRoutes(app: App, deps: { sessions: SessionService; config: Config }): void {
  const { sessions } = deps;
  const tags = ['console: session'];
  const secure = deps.config.issuer.startsWith('https://');

  app.post('/console/api/session', {
    schema: {
      tags,
      body: Type.Object(
        { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
        { additionalProperties: false },
      ),
      response: { 200: SessionBody, ...errorResponses },
    },
  }, async (req, reply) => {
    const result = await sessions.signIn(req.body.email, req.body.password, requestContext(req));
    reply
      .setCookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_SECONDS })
      .header('cache-control', 'no-store');
    return { csrfToken: result.csrfToken, user: result.user, memberships: result.memberships };
  });

  app.register(async (scoped) => {
    const s = scoped as App;
    s.addHook('onRequest', consoleSession(sessions));

    // The console page reloads and needs its CSRF token back; the cookie itself is HttpOnly.
    s.get('/console/api/session', { schema: { tags, response: { 200: SessionBody, ...errorResponses } } }, async (req, reply) => {
      const user = currentUser(req);
      reply.header('cache-control', 'no-store');
      return { csrfToken: req.csrfToken!, user, memberships: await sessions.memberships(user.id) };
    });

    s.delete('/console/api/session', { schema: { tags, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
      const sessionId = req.cookies[SESSION_COOKIE];
      if (sessionId) await sessions.signOut(currentUser(req), sessionId, requestContext(req));
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204).send(null);
    });

    s.get('/console/api/me', { schema: { tags, response: { 200: MeBody, ...errorResponses } } }, async (req) => {
      const user = currentUser(req);
      return { user, memberships: await sessions.memberships(user.id) };
    });

    s.get('/console/api/scopes', { schema: { tags } }, async () => ({ items: SCOPE_CATALOGUE, nextCursor: null }));
  });
}
