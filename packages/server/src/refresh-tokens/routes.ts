import {
  CreateRefreshTokenBody,
  errorResponses,
  NoContent,
  PageQuery,
  Page,
  RefreshTokenBody,
  RefreshTokenCreatedBody,
  RefreshTokenParams,
} from '@gatehouse/contract';
import type { Cursors } from '../http/cursor.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, userActor } from '../sessions/console-auth.js';
import type { RefreshTokenService } from './service.js';

/** §8 `/console/api/me/refresh-tokens`: a person's own personal API tokens [B1]. */
export function refreshTokenRoutes(app: App, deps: { refreshTokens: RefreshTokenService; cursors: Cursors }): void {
  const { refreshTokens, cursors } = deps;
  const base = '/console/api/me/refresh-tokens';
  const tags = ['console: personal API tokens'];

  // consoleGuard: a session, and the CSRF header on create and revoke.
  app.post(base, { schema: { tags, body: CreateRefreshTokenBody, response: { 201: RefreshTokenCreatedBody, ...errorResponses } } }, async (req, reply) => {
    const user = currentUser(req);
    const created = await refreshTokens.create({ ...userActor(user), id: user.id }, req.body, requestContext(req));
    reply.code(201).header('cache-control', 'no-store');
    return created;
  });

  app.get(base, { schema: { tags, querystring: PageQuery, response: { 200: Page(RefreshTokenBody), ...errorResponses } } }, async (req) => {
    const user = currentUser(req);
    return cursors.list(`refresh-tokens:${user.id}`, req.query, (after, limit) => refreshTokens.list(user.id, after, limit));
  });

  app.delete(`${base}/:id`, { schema: { tags, params: RefreshTokenParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    const user = currentUser(req);
    await refreshTokens.revokeOwn({ ...userActor(user), id: user.id }, req.params.id, requestContext(req));
    return reply.code(204).send(null);
  });
}
