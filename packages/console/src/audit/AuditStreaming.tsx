import type { AuditStream, AuditStreamCreated, Delivery } from '@gatehouse/contract';
import { useState } from 'react';
import type { ConsoleApi, Page } from '../api/client';
import { EmptyState, ErrorAlert, Loading } from '../ui/Alert';
import { useLoad } from '../ui/useLoad';

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/audit-streams`;

/**
 * Audit log → Streaming (§15 [E4]): an owner points the organization's audit log at an HTTPS
 * endpoint. The signing secret is shown once, at creation; each stream has a test button and its
 * delivery log.
 */
export function AuditStreaming({ api, orgId }: { api: ConsoleApi; orgId: string }) {
  const streams = useLoad(() => api.get<Page<AuditStream>>(base(orgId)), [api, orgId]);
  const [url, setUrl] = useState('');
  const [created, setCreated] = useState<AuditStreamCreated | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [log, setLog] = useState<{ id: string; items: Delivery[] } | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      streams.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="streaming-title">
      <h2 id="streaming-title">Streaming</h2>
      <p className="muted">Every audit event, signed per Standard Webhooks, retried for about two days.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            setCreated(await api.post<AuditStreamCreated>(base(orgId), { url }));
            setUrl('');
          });
        }}
      >
        <label>
          Endpoint URL
          <input type="url" required placeholder="https://siem.example.com/gatehouse" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <button type="submit" className="button primary">
          Stream the audit log
        </button>
      </form>
      {error !== null && <ErrorAlert error={error} doing="change audit streaming" />}
      {created && (
        <div className="callout" role="status">
          Signing secret (shown once): <code>{created.secret}</code>
        </div>
      )}
      {streams.status === 'loading' && <Loading what="audit streams" />}
      {streams.status === 'error' && <ErrorAlert error={streams.error} doing="load audit streams" onRetry={streams.reload} />}
      {streams.status === 'ready' &&
        (streams.data.items.length === 0 ? (
          <EmptyState title="No audit stream">Add an endpoint above to receive every audit event.</EmptyState>
        ) : (
          <ul>
            {streams.data.items.map((s) => (
              <li key={s.id}>
                <code>{s.url}</code> {s.active ? '' : '(disabled)'}{' '}
                <button type="button" className="button" onClick={() => void act(() => api.post(`${base(orgId)}/${s.id}/test`))}>
                  Send a test event
                </button>{' '}
                <button
                  type="button"
                  className="button"
                  onClick={() => void act(async () => setLog({ id: s.id, items: (await api.get<Page<Delivery>>(`${base(orgId)}/${s.id}/deliveries`)).items }))}
                >
                  Delivery log
                </button>{' '}
                <button type="button" className="button danger" onClick={() => void act(() => api.delete(`${base(orgId)}/${s.id}`))}>
                  Delete
                </button>
                {log?.id === s.id && (
                  <table>
                    <thead>
                      <tr>
                        <th>Event</th>
                        <th>Status</th>
                        <th>Attempts</th>
                        <th>Last answer</th>
                      </tr>
                    </thead>
                    <tbody>
                      {log.items.map((d) => (
                        <tr key={d.id}>
                          {/* [E4] A batch message: how many events, and of which types. */}
                          <td>{d.eventTypes ? `${d.eventCount ?? 0} events: ${d.eventTypes.join(', ')}` : d.eventType}</td>
                          <td>{d.status}</td>
                          <td>{d.attempts}</td>
                          <td>{d.lastAttempt ? `${d.lastAttempt.statusCode ?? '—'} in ${d.lastAttempt.latencyMs} ms ${d.lastAttempt.excerpt}` : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
