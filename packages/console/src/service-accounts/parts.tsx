import type { ServiceAccount } from './api';

const STATUS_TEXT: Record<ServiceAccount['status'], string> = { active: 'Active', disabled: 'Disabled', expired: 'Expired' };

export function StatusBadge({ status }: { status: ServiceAccount['status'] }) {
  return <span className={`badge ${status}`}>{STATUS_TEXT[status]}</span>;
}

/** Scope names as chips; past `max`, a count of the rest. */
export function ScopeChips({ scopes, max }: { scopes: readonly string[]; max?: number }) {
  const shown = max ? scopes.slice(0, max) : scopes;
  const more = scopes.length - shown.length;
  return (
    <span className="chips">
      {shown.map((s) => (
        <code className="chip" key={s}>
          {s}
        </code>
      ))}
      {more > 0 && (
        <span className="chip more" title={scopes.slice(shown.length).join('\n')}>
          +{more} more
        </span>
      )}
    </span>
  );
}
