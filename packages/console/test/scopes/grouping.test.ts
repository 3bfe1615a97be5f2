import { describe, expect, it } from 'vitest';
import { filterGroups, groupScopes, resourceLabel, scopeChanges, toggleScope } from '../../src/scopes/grouping';

const catalogue = [
  { scope: 'governance.controls:read', description: 'List and get controls.' },
  { scope: 'governance.findings:write', description: 'Create and update findings.' },
  { scope: 'governance.findings:read', description: 'List and get findings.' },
  { scope: 'party-engagements:read', description: 'List and get party engagements.' },
  { scope: 'webhooks:manage', description: 'Create, update, and delete webhook subscriptions.' },
  { scope: 'sbom.buckets:read', description: 'List and get SBOM buckets.' },
];

describe('scope grouping', () => {
  it('groups by resource in catalogue order, read before write', () => {
    const groups = groupScopes(catalogue);
    expect(groups.map((g) => g.resource)).toEqual(['governance.controls', 'governance.findings', 'party-engagements', 'webhooks', 'sbom.buckets']);
    expect(groups[1]!.scopes.map((s) => s.action)).toEqual(['read', 'write']);
    expect(groups[1]!.scopes[0]!.description).toBe('List and get findings.');
  });

  it('[C5] a catalogue of several APIs is grouped under each API', () => {
    const two = [
      { scope: 'orders:read', description: 'List orders.', api: 'orders' },
      { scope: 'orders:write', description: 'Create orders.', api: 'orders' },
      { scope: 'invoices:read', description: 'List invoices.', api: 'billing' },
    ];
    expect(groupScopes(two).map((g) => [g.family, g.resource, g.scopes.map((s) => s.action)])).toEqual([
      ['orders', 'orders', ['read', 'write']],
      ['billing', 'invoices', ['read']],
    ]);
    // One API (the demo): the resource families as before.
    expect(groupScopes(catalogue.map((c) => ({ ...c, api: 'gatehouse-demo' })))[0]!.family).toBe('Governance');
  });

  it('labels resources for people', () => {
    expect(resourceLabel('governance.findings')).toEqual({ family: 'Governance', label: 'Findings' });
    expect(resourceLabel('party-engagements')).toEqual({ family: null, label: 'Party engagements' });
    expect(resourceLabel('change-management')).toEqual({ family: null, label: 'Change management' });
  });

  it('filters by resource, scope name or description', () => {
    const groups = groupScopes(catalogue);
    expect(filterGroups(groups, 'FINDINGS').map((g) => g.resource)).toEqual(['governance.findings']);
    expect(filterGroups(groups, 'subscriptions').map((g) => g.resource)).toEqual(['webhooks']);
    expect(filterGroups(groups, 'governance').length).toBe(2);
    expect(filterGroups(groups, '  ')).toBe(groups);
    expect(filterGroups(groups, 'nothing like this')).toEqual([]);
  });

  it('toggling keeps catalogue order and no duplicates', () => {
    let sel = toggleScope([], 'sbom.buckets:read', true, catalogue);
    sel = toggleScope(sel, 'governance.controls:read', true, catalogue);
    sel = toggleScope(sel, 'governance.controls:read', true, catalogue);
    expect(sel).toEqual(['governance.controls:read', 'sbom.buckets:read']);
    expect(toggleScope(sel, 'sbom.buckets:read', false, catalogue)).toEqual(['governance.controls:read']);
  });

  it('says what an edit adds and removes', () => {
    expect(scopeChanges(['a:read', 'b:read'], ['b:read', 'c:read'])).toEqual({ added: ['c:read'], removed: ['a:read'] });
    expect(scopeChanges(['a:read'], ['a:read'])).toEqual({ added: [], removed: [] });
  });
});
