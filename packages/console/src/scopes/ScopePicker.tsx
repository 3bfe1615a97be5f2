import { useId, useMemo, useState } from 'react';
import { filterGroups, groupScopes, toggleScope, type ScopeInfo } from './grouping';

interface ScopePickerProps {
  catalogue: readonly ScopeInfo[];
  selected: string[];
  onChange(selected: string[]): void;
  /** The legend, e.g. "Scopes". */
  legend: string;
}

/**
 * Scopes grouped by resource with the catalogue's descriptions. Nothing is pre-selected: least
 * privilege is the easy path.
 */
export function ScopePicker({ catalogue, selected, onChange, legend }: ScopePickerProps) {
  const [query, setQuery] = useState('');
  const filterId = useId();
  const groups = useMemo(() => groupScopes(catalogue), [catalogue]);
  const shown = filterGroups(groups, query);
  const chosen = new Set(selected);
  let family: string | null | undefined;

  return (
    <fieldset className="scope-picker">
      <legend>{legend}</legend>
      <div className="scope-picker-bar">
        <label htmlFor={filterId} className="visually-hidden">
          Filter scopes
        </label>
        <input id={filterId} type="search" placeholder="Filter scopes…" value={query} onChange={(e) => setQuery(e.target.value)} />
        <span className="muted" aria-live="polite">
          {selected.length} selected
        </span>
        {selected.length > 0 && (
          <button type="button" className="link-button" onClick={() => onChange([])}>
            Clear
          </button>
        )}
      </div>
      <div className="scope-list">
        {shown.length === 0 && <p className="muted">No scope matches “{query}”.</p>}
        {shown.map((g) => {
          // Dotted resources under their family (Governance, SBOM); the rest under "Other".
          const heading = g.family !== family ? (g.family ?? 'Other') : undefined;
          family = g.family;
          return (
            <div key={g.resource}>
              {heading && <div className="scope-family">{heading}</div>}
              <div className="scope-row">
                <div className="scope-resource">{g.label}</div>
                <div className="scope-actions">
                  {g.scopes.map((s) => (
                    <label key={s.scope} className="scope-option" title={s.scope}>
                      <input
                        type="checkbox"
                        checked={chosen.has(s.scope)}
                        onChange={(e) => onChange(toggleScope(selected, s.scope, e.target.checked, catalogue))}
                      />
                      <span>
                        <code>{s.scope}</code>
                        <span className="scope-description">{s.description}</span>
                      </span>
                    </label>
                  ))}
                </div>
              </div>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
