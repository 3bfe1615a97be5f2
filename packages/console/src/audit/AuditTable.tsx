import { formatPrecise, relativeTime } from '../ui/format';
import type { AuditEvent } from './api';

/** Events, newest first; an actor's name filters the log to that actor. */
export function AuditTable({ events, onActor }: { events: AuditEvent[]; onActor(actorId: string): void }) {
  const now = new Date();
  return (
    <div className="table-wrap">
      <table className="table audit">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col" className="hide-narrow">
              Target
            </th>
            <th scope="col" className="hide-narrow">
              From
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="nowrap" title={e.occurredAt}>
                {formatPrecise(e.occurredAt)}
                <div className="muted small">{relativeTime(e.occurredAt, now)}</div>
              </td>
              <td>
                {e.actor.id ? (
                  <button type="button" className="link-button" onClick={() => onActor(e.actor.id!)} title="Show only this actor">
                    {e.actor.name ?? e.actor.id}
                  </button>
                ) : (
                  <span>{e.actor.name ?? e.actor.type}</span>
                )}
                <div className="muted small">{actorKind(e.actor.type)}</div>
              </td>
              <td>
                <code>{e.action}</code> {e.outcome === 'failure' && <span className="badge disabled">failed</span>}
                {summary(e) && <div className="muted small">{summary(e)}</div>}
              </td>
              <td className="hide-narrow small">
                {e.target ? (
                  <>
                    <span className="muted">{e.target.type}</span> <code>{e.target.id}</code>
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td className="hide-narrow small">{e.ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const actorKind = (type: string): string =>
  ({ user: 'person', service_account: 'service account', system: 'Gatehouse', anonymous: 'unidentified' })[type] ?? type;

/** A short reading of the detail (scopes granted, role change, reason), when there is one. */
function summary(e: AuditEvent): string {
  const d = e.detail ?? {};
  const parts: string[] = [];
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  if (typeof d.scope === 'string') parts.push(d.scope);
  if (typeof d.reason === 'string') parts.push(d.reason);
  if (typeof d.graceSeconds === 'number') parts.push(`grace ${d.graceSeconds}s`);
  if (typeof d.email === 'string' && !parts.length) parts.push(d.email);
  return parts.join(' · ');
}
