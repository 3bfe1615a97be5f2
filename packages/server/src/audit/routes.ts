import { Type } from '@sinclair/typebox';
import type { AccessDecision } from '../access/access-decision.js';
import { currentPrincipal, requireScope } from '../access/hooks.js';
import type { Db } from '../db/db.js';
import { ApiError } from '../errors.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, Page, Timestamp, TimestampInput } from '../http/schemas.js';
import { requireTimestamp } from '../http/timestamps.js';
import type { App } from '../http/types.js';
import { OrgParams } from '../service-accounts/schema.js';
import { consoleSession, currentUser, requireOrgCapability } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import { auditStore, type AuditFilter } from './store.js';

const Actor = Type.Object({
  type: Type.String(),
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});

export const AuditEventBody = Type.Object(
  {
    id: Type.String(),
    occurredAt: Timestamp,
    action: Type.String(),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    actor: Actor,
    target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
    credential: Type.Union([Type.String(), Type.Null()], { description: 'Which secret or token was used (its id, never its value)' }),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: 'An audit event' },
);

const AuditQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(TimestampInput),
    to: Type.Optional(TimestampInput),
  },
  { additionalProperties: false },
);

export interface AuditRouteDeps {
  db: Db;
  cursors: Cursors;
  decision: AccessDecision;
  sessions: SessionService;
}

/**
 * The audit log, read two ways: `/api/v1/audit-events` for SIEM export by a service account
 * holding `audit-log:read`, oldest first (§7); the console's view for admins, newest first (§8).
 */
export function auditRoutes(app: App, deps: AuditRouteDeps): void {
  const { db, cursors } = deps;
  type Query = { cursor?: string; limit?: number; actorId?: string; action?: string; from?: string; to?: string };
  const page = async (orgId: string, q: Query, order: AuditFilter['order']) => {
    const limit = q.limit ?? 100;
    const scope = `audit:${orgId}:${order}`;
    const filter: AuditFilter = {
      orgId, order, limit: limit + 1, after: cursors.decode(scope, q.cursor),
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.from ? { from: requireTimestamp(q.from, 'from') } : {}),
      ...(q.to ? { to: requireTimestamp(q.to, 'to') } : {}),
    };
    if (filter.from && filter.to && filter.from > filter.to) throw new ApiError('invalid_request', 'from must not be after to');
    const { items, nextCursor } = cursors.page(scope, await auditStore.list(db, filter), limit, (r) => r.position);
    return { items: items.map(({ position: _position, ...event }) => event), nextCursor };
  };

  app.get('/api/v1/audit-events', {
    schema: { tags: ['reference api'], querystring: AuditQuery, response: { 200: Page(AuditEventBody), ...errorResponses } },
    onRequest: requireScope(deps.decision, 'audit-log:read'),
  }, async (req) => page(currentPrincipal(req).orgId, req.query, 'asc'));

  app.register(async (scoped) => {
    const s = scoped as App;
    s.addHook('onRequest', consoleSession(deps.sessions));
    s.get('/console/api/orgs/:orgId/audit-events', {
      schema: { tags: ['console: audit'], params: OrgParams, querystring: AuditQuery, response: { 200: Page(AuditEventBody), ...errorResponses } },
    }, async (req) => {
      await requireOrgCapability(db, currentUser(req), req.params.orgId, 'audit-log:read');
      return page(req.params.orgId, req.query, 'desc');
    });
  });
}
