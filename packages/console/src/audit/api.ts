import type { ConsoleApi, Page } from '../api/client';

export interface AuditEvent {
  id: string;
  occurredAt: string;
  action: string;
  outcome: 'success' | 'failure';
  actor: { type: string; id?: string; name?: string };
  target: { type: string; id: string } | null;
  credential: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** `GET /console/api/orgs/{orgId}/audit-events`: newest first, filtered, cursor-paged. */
export const auditEvents = {
  list: (api: ConsoleApi, orgId: string, query: AuditQuery, cursor: string | null, limit = 50) =>
    api.get<Page<AuditEvent>>(`/console/api/orgs/${encodeURIComponent(orgId)}/audit-events`, { ...query, cursor, limit }),
};
