import { describe, expect, it } from 'vitest';
import { formatDate, relativeTime } from '../../src/ui/format';

describe('dates for people', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  it.each([
    ['2026-06-01T12:00:02Z', 'just now'],
    ['2026-06-01T11:59:30Z', '30 seconds ago'],
    ['2026-06-01T11:55:00Z', '5 minutes ago'],
    ['2026-06-01T12:01:00Z', 'in 1 minute'],
    ['2026-05-29T12:00:00Z', '3 days ago'],
    ['2027-06-01T12:00:00Z', 'next year'],
  ])('%s is %s', (iso, text) => {
    expect(relativeTime(iso, now)).toBe(text);
  });

  it('a missing or bad date shows the fallback', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate(null, 'Never')).toBe('Never');
    expect(formatDate('not a date', 'Never')).toBe('Never');
    expect(formatDate('2026-06-01T12:00:00Z')).toMatch(/2026/);
  });
});
