import { AuditEventBody, AuditQuery, errorResponses, OrgParams, Page } from '@gatehouse/contract';
import type { Static } from '@sinclair/typebox';
import type { AccessDecision } from '../access/access-decision.js';
import { currentPrincipal, requireScope } from '../access/hooks.js';
import type { Db } from '../db/db.js';
import { ApiError } from '../errors.js';
import type { Cursors } from '../http/cursor.js';
import { requireTimestamp } from '../http/timestamps.js';
import type { App } from '../http/types.js';
import { DOORS } from '../manage/manage-auth.js';
import { auditStore, type AuditFilter } from './store.js';

export interface AuditRouteDeps {
  db: Db;
  cursors: Cursors;
  decision: AccessDecision;
}

/**
 * The audit log, read two ways: `/api/v1/audit-events` for SIEM export by a service account
 * holding `audit-log:read`, oldest first (§7); the console's view for admins, newest first (§8).
 */
export function auditRoutes(app: App, deps: AuditRouteDeps): void {
  const { db, cursors } = deps;
  type Query = Static<typeof AuditQuery>;
  const page = async (orgId: string, q: Query, order: AuditFilter['order']) => {
    const filter: Omit<AuditFilter, 'after' | 'limit'> = {
      orgId,
      order,
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.from ? { from: requireTimestamp(q.from, 'from') } : {}),
      ...(q.to ? { to: requireTimestamp(q.to, 'to') } : {}),
    };
    if (filter.from && filter.to && filter.from > filter.to) throw new ApiError('invalid_request', 'from must not be after to');
    // The keyset position is (txid, id) for the oldest-first export (see audit/store.ts); it never leaves the server.
    return cursors.list(`audit:${orgId}:${order}`, q, (after, limit) => auditStore.list(db, { ...filter, after, limit }), {
      defaultLimit: 100,
      keyOf: (row) => row.position,
      present: ({ position: _position, ...event }) => event,
    });
  };

  app.get(
    '/api/v1/audit-events',
    {
      schema: { tags: ['reference api'], querystring: AuditQuery, response: { 200: Page(AuditEventBody), ...errorResponses } },
      onRequest: requireScope(deps.decision, 'audit-log:read'),
    },
    async (req) => page(currentPrincipal(req).orgId, req.query, 'asc'),
  );

  // §8 and [M1]: the same newest-first view for the console and for a person's token on /manage/v1.
  for (const { door, prefix } of DOORS) {
    app.get(
      `${prefix}/orgs/:orgId/audit-events`,
      {
        schema: { tags: [`${door}: audit`], params: OrgParams, querystring: AuditQuery, response: { 200: Page(AuditEventBody), ...errorResponses } },
        config: { capability: 'audit-log:read', manage: { scope: 'audit-log:read' } },
      },
      async (req) => page(req.params.orgId, req.query, 'desc'),
    );
  }
}
