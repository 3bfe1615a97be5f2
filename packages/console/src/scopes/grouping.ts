import type { ScopeInfo } from '@gatehouse/contract';

export type { ScopeInfo };

export interface ScopeGroup {
  /** The resource part of `<resource>:<action>`, e.g. `governance.findings`. */
  resource: string;
  /** "Findings" */
  label: string;
  /** "Governance", or null for a top-level resource; with several APIs, the API the scopes belong to. */
  family: string | null;
  scopes: Array<ScopeInfo & { action: string }>;
}

const ACTION_ORDER = ['read', 'write', 'manage'];

const words = (s: string): string => {
  const t = s.replace(/[-_]/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
};

/** `governance.findings` → family "Governance", label "Findings"; `party-engagements` → "Party engagements". */
export function resourceLabel(resource: string): { family: string | null; label: string } {
  const dot = resource.indexOf('.');
  if (dot < 0) return { family: null, label: words(resource) };
  return { family: words(resource.slice(0, dot)), label: words(resource.slice(dot + 1)) };
}

/**
 * The catalogue grouped by resource (§6: `<resource>:<action>`), in catalogue order, read before
 * write, so the picker shows one row per resource.
 */
export function groupScopes(catalogue: readonly ScopeInfo[]): ScopeGroup[] {
  const groups = new Map<string, ScopeGroup>();
  // [C5] An operator's catalogue of several APIs: the picker's headings are the APIs.
  const byApi = new Set(catalogue.map((c) => c.api)).size > 1;
  for (const info of catalogue) {
    const colon = info.scope.lastIndexOf(':');
    const resource = colon > 0 ? info.scope.slice(0, colon) : info.scope;
    const action = colon > 0 ? info.scope.slice(colon + 1) : '';
    let group = groups.get(resource);
    if (!group) {
      const label = resourceLabel(resource);
      group = { resource, ...label, ...(byApi ? { family: info.api ?? null, label: resource } : {}), scopes: [] };
      groups.set(resource, group);
    }
    group.scopes.push({ ...info, action });
  }
  for (const g of groups.values()) {
    g.scopes.sort((a, b) => rank(a.action) - rank(b.action));
  }
  return [...groups.values()];
}

const rank = (action: string): number => {
  const i = ACTION_ORDER.indexOf(action);
  return i < 0 ? ACTION_ORDER.length : i;
};

/** Groups whose resource, family, scope or description contains `query` (case-insensitive). */
export function filterGroups(groups: ScopeGroup[], query: string): ScopeGroup[] {
  const q = query.trim().toLowerCase();
  if (!q) return groups;
  return groups.filter(
    (g) =>
      `${g.family ?? ''} ${g.label} ${g.resource}`.toLowerCase().includes(q) ||
      g.scopes.some((s) => s.scope.toLowerCase().includes(q) || s.description.toLowerCase().includes(q)),
  );
}

/** Toggles one scope in a selection, keeping catalogue order for a stable request body. */
export function toggleScope(selected: readonly string[], scope: string, on: boolean, catalogue: readonly ScopeInfo[]): string[] {
  const set = new Set(selected);
  if (on) set.add(scope);
  else set.delete(scope);
  const order = catalogue.map((c) => c.scope);
  return [...set].sort((a, b) => orderOf(order, a) - orderOf(order, b));
}

const orderOf = (order: string[], s: string): number => {
  const i = order.indexOf(s);
  return i < 0 ? order.length : i;
};

/** What removing scopes from a live account takes away from it (shown before saving). */
export function scopeChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const a = new Set(after);
  const b = new Set(before);
  return { added: after.filter((s) => !b.has(s)), removed: before.filter((s) => !a.has(s)) };
}
