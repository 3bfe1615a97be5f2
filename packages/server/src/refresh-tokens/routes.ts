import { Type } from '@sinclair/typebox';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, NullableTimestamp, OrgId, Page, PageQuery, ScopeName, Timestamp } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { consoleSession, currentUser, userActor } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import type { RefreshTokenService } from './service.js';

const TokenBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  orgIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  expiresAt: Timestamp,
});
const CreatedBody = Type.Composite([TokenBody, Type.Object({ refreshToken: Type.String() })]);
const CreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Optional(Type.Array(ScopeName, { minItems: 1, maxItems: 64 })),
  orgIds: Type.Optional(Type.Array(OrgId, { minItems: 1, maxItems: 100 })),
}, { additionalProperties: false });
const TokenParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** §8 `/console/api/me/refresh-tokens`: a person's own personal API tokens [B1]. */
export function refreshTokenRoutes(app: App, deps: { sessions: SessionService; refreshTokens: RefreshTokenService; cursors: Cursors }): void {
  const { refreshTokens, cursors } = deps;
  const base = '/console/api/me/refresh-tokens';
  const tags = ['console: personal API tokens'];

  app.register(async (scoped) => {
    const s = scoped as App;
    s.addHook('onRequest', consoleSession(deps.sessions));

    s.post(base, { schema: { tags, body: CreateBody, response: { 201: CreatedBody, ...errorResponses } } }, async (req, reply) => {
      const user = currentUser(req);
      const created = await refreshTokens.create({ ...userActor(user), id: user.id }, req.body, requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return created;
    });

    s.get(base, { schema: { tags, querystring: PageQuery, response: { 200: Page(TokenBody), ...errorResponses } } }, async (req) => {
      const user = currentUser(req);
      const limit = req.query.limit ?? 50;
      const scope = `refresh-tokens:${user.id}`;
      const rows = await refreshTokens.list(user.id, cursors.decode(scope, req.query.cursor), limit + 1);
      return cursors.page(scope, rows, limit);
    });

    s.delete(`${base}/:id`, { schema: { tags, params: TokenParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
      const user = currentUser(req);
      await refreshTokens.revokeOwn({ ...userActor(user), id: user.id }, req.params.id, requestContext(req));
      return reply.code(204).send(null);
    });
  });
}
