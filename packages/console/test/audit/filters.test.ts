import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, isFiltered, localToIso, toQuery } from '../../src/audit/filters';

describe('audit filters', () => {
  it('an empty form is no filter', () => {
    expect(toQuery(EMPTY_FILTERS)).toEqual({ query: {} });
    expect(isFiltered({})).toBe(false);
  });

  it('trims actor and action, and turns local times into RFC 3339', () => {
    const r = toQuery({ actorId: ' svc_1 ', action: ' token.grant ', from: '2026-06-01T12:00', to: '' });
    expect(r).toEqual({ query: { actorId: 'svc_1', action: 'token.grant', from: new Date('2026-06-01T12:00').toISOString() } });
    expect(isFiltered((r as { query: object }).query)).toBe(true);
  });

  it('"to" includes the whole minute it names', () => {
    const r = toQuery({ ...EMPTY_FILTERS, to: '2026-06-01T12:05' }) as { query: { to: string } };
    expect(new Date(r.query.to).getTime() - new Date('2026-06-01T12:05').getTime()).toBe(59_999);
  });

  it('refuses a range that ends before it starts, and invalid dates', () => {
    expect(toQuery({ ...EMPTY_FILTERS, from: '2026-06-02T00:00', to: '2026-06-01T00:00' })).toEqual({ error: 'The start time is after the end time.' });
    expect(toQuery({ ...EMPTY_FILTERS, from: 'yesterday' })).toEqual({ error: 'The start time is not a valid date.' });
    expect(localToIso('')).toBeUndefined();
  });
});
