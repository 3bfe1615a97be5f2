import { useId, useState, type FormEvent } from 'react';
import type { AuditQuery } from './api';
import type { ActorOption } from './AuditPage';
import { EMPTY_FILTERS, KNOWN_ACTIONS, toQuery, type AuditFilterForm } from './filters';

/** Filter by actor, action and time range; applied on submit so typing does not fetch. */
export function AuditFilters({ query, onApply, actors }: { query: AuditQuery; onApply(q: AuditQuery): void; actors: ActorOption[] }) {
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_FILTERS);
  const [error, setError] = useState<string | null>(null);
  const listId = useId();
  const actorId = useId();
  // A filter set from outside (clicking an actor in the table) shows in the form.
  const [lastQuery, setLastQuery] = useState(query);
  if (query !== lastQuery) {
    setLastQuery(query);
    setForm((f) => ({ ...f, actorId: query.actorId ?? '', action: query.action ?? '' }));
  }
  const set = (k: keyof AuditFilterForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = toQuery(form);
    if ('error' in r) return setError(r.error);
    setError(null);
    onApply(r.query);
  };
  const clear = () => {
    setForm(EMPTY_FILTERS);
    setError(null);
    onApply({});
  };
  const known = actors.some((a) => a.id === form.actorId);

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor={actorId}>Actor</label>
        <select id={actorId} value={form.actorId} onChange={set('actorId')}>
          <option value="">Anyone</option>
          {!known && form.actorId && <option value={form.actorId}>{form.actorId}</option>}
          {(['person', 'service account'] as const).map((kind) => {
            const group = actors.filter((a) => a.kind === kind);
            return group.length ? (
              <optgroup key={kind} label={kind === 'person' ? 'People' : 'Service accounts'}>
                {group.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
              </optgroup>
            ) : null;
          })}
        </select>
      </div>
      <label className="field">
        <span>Action</span>
        <input list={listId} value={form.action} onChange={set('action')} placeholder="e.g. token or token.grant" />
        <datalist id={listId}>
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </label>
      <label className="field">
        <span>From</span>
        <input type="datetime-local" value={form.from} onChange={set('from')} />
      </label>
      <label className="field">
        <span>To</span>
        <input type="datetime-local" value={form.to} onChange={set('to')} />
      </label>
      <div className="filter-buttons">
        <button type="submit" className="button primary">
          Apply filters
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
