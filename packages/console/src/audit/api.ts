import type { AuditEvent, AuditFilters as AuditQuery } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

/** Wire types from the console API's contract (types only: no schema code in the bundle). */
export type { AuditEvent, AuditQuery };

/** `GET /console/api/orgs/{orgId}/audit-events`: newest first, filtered, cursor-paged. */
export const auditEvents = {
  list: (api: ConsoleApi, orgId: string, query: AuditQuery, cursor: string | null, limit = 50) =>
    api.get<Page<AuditEvent>>(`/console/api/orgs/${encodeURIComponent(orgId)}/audit-events`, { ...query, cursor, limit }),
};
