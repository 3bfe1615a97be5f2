import { useState } from 'react';
import { fetchAll } from '../api/client';
import { canReadAudit } from '../members/rules';
import { useSignedIn, type Membership } from '../session/session';
import { EmptyState, ErrorAlert, Loading } from '../ui/Alert';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { auditEvents, type AuditQuery } from './api';
import { AuditExport } from './AuditExport';
import { AuditFilters } from './AuditFilters';
import { AuditStreaming } from './AuditStreaming';
import { AuditTable } from './AuditTable';
import { isFiltered } from './filters';

const PAGE_SIZE = 50;

/** The audit log (§8): newest first, filtered by actor, action and time, paged, exportable. */
export function AuditPage({ membership }: { membership: Membership }) {
  const { api } = useSignedIn();
  const { orgId } = membership;
  const allowed = canReadAudit(membership.role);
  const [query, setQuery] = useState<AuditQuery>({});
  // Cursors of the pages before this one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLoad(
    () => (allowed ? auditEvents.list(api, orgId, query, cursor, PAGE_SIZE) : Promise.resolve(null)),
    [api, orgId, allowed, JSON.stringify(query), cursor],
  );
  const actors = useLoad(() => loadActors(api, orgId, allowed), [api, orgId, allowed]);

  const apply = (q: AuditQuery) => {
    setQuery(q);
    setCursors([null]);
  };

  return (
    <>
      <PageHeader
        crumbs={[membership.orgName]}
        title="Audit log"
        description="Who did what, when and from where: every console action, every token issued or refused, each attributed to a named person or service account."
        actions={allowed ? <AuditExport api={api} orgId={orgId} query={query} /> : undefined}
      />
      {!allowed ? (
        <EmptyState title="Only owners and admins read the audit log">
          Your role in {membership.orgName} is <strong>{membership.role}</strong>.
        </EmptyState>
      ) : (
        <>
          <AuditFilters query={query} onApply={apply} actors={actors.status === 'ready' ? actors.data : []} />
          {page.status === 'loading' && <Loading what="events" />}
          {page.status === 'error' && <ErrorAlert error={page.error} doing="load the audit log" onRetry={page.reload} />}
          {page.status === 'ready' &&
            page.data &&
            (page.data.items.length === 0 ? (
              <EmptyState title={isFiltered(query) ? 'No event matches these filters' : 'No events yet'}>
                {isFiltered(query) ? 'Widen the time range or clear a filter.' : 'Actions in this organization will appear here.'}
              </EmptyState>
            ) : (
              <>
                <AuditTable events={page.data.items} onActor={(actorId) => apply({ ...query, actorId })} />
                <nav className="pager" aria-label="Audit log pages">
                  <button type="button" className="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                    ← Newer
                  </button>
                  <span className="muted">Page {cursors.length}</span>
                  <button type="button" className="button" disabled={!page.data.nextCursor} onClick={() => setCursors((c) => [...c, page.data!.nextCursor])}>
                    Older →
                  </button>
                </nav>
              </>
            ))}
          {/* [E4] Owners choose where the audit log is streamed. */}
          {membership.role === 'owner' && <AuditStreaming api={api} orgId={orgId} />}
        </>
      )}
    </>
  );
}

export interface ActorOption {
  id: string;
  label: string;
  kind: 'person' | 'service account';
}

/** People and service accounts of this organization, for the actor filter. */
async function loadActors(api: ReturnType<typeof useSignedIn>['api'], orgId: string, allowed: boolean): Promise<ActorOption[]> {
  if (!allowed) return [];
  const base = `/console/api/orgs/${encodeURIComponent(orgId)}`;
  const [people, accounts] = await Promise.all([
    fetchAll<{ userId: string; email: string }>((cursor) => api.get(`${base}/members`, { limit: 200, cursor }), 1000).catch(() => ({ items: [] })),
    fetchAll<{ id: string; name: string }>((cursor) => api.get(`${base}/service-accounts`, { limit: 200, cursor }), 1000).catch(() => ({ items: [] })),
  ]);
  return [
    ...people.items.map((p) => ({ id: p.userId, label: p.email, kind: 'person' as const })),
    ...accounts.items.map((a) => ({ id: a.id, label: a.name, kind: 'service account' as const })),
  ];
}
