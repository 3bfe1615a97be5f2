import { describe, expect, it } from 'vitest';
import { describeDuration, graceSeconds, MAX_GRACE_SECONDS, previousSecretStops, secretSummary } from '../../src/service-accounts/grace';

describe('rotation grace window [A5]', () => {
  it('defaults to 60 seconds; immediate is 0', () => {
    expect(graceSeconds({ kind: 'default' })).toEqual({ seconds: 60 });
    expect(graceSeconds({ kind: 'immediate' })).toEqual({ seconds: 0 });
  });

  it('converts a custom amount and unit', () => {
    expect(graceSeconds({ kind: 'custom', amount: '15', unit: 'minutes' })).toEqual({ seconds: 900 });
    expect(graceSeconds({ kind: 'custom', amount: '1.5', unit: 'hours' })).toEqual({ seconds: 5400 });
    expect(graceSeconds({ kind: 'custom', amount: ' 7 ', unit: 'days' })).toEqual({ seconds: MAX_GRACE_SECONDS });
    expect(graceSeconds({ kind: 'custom', amount: '0', unit: 'seconds' })).toEqual({ seconds: 0 });
  });

  it('refuses more than 7 days and anything that is not a number', () => {
    expect(graceSeconds({ kind: 'custom', amount: '8', unit: 'days' })).toEqual({ error: 'The grace window can be at most 7 days.' });
    expect(graceSeconds({ kind: 'custom', amount: '604801', unit: 'seconds' })).toHaveProperty('error');
    for (const amount of ['', 'ten', '-5', '1e3', '5 min']) {
      expect(graceSeconds({ kind: 'custom', amount, unit: 'minutes' })).toHaveProperty('error');
    }
  });

  it('computes when the previous secret stops', () => {
    expect(previousSecretStops(new Date('2026-06-01T12:00:00Z'), 60).toISOString()).toBe('2026-06-01T12:01:00.000Z');
    expect(previousSecretStops(new Date('2026-06-01T12:00:00Z'), 0).toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });

  it('describes durations in the two largest units', () => {
    expect(describeDuration(0)).toBe('immediately');
    expect(describeDuration(1)).toBe('1 second');
    expect(describeDuration(60)).toBe('1 minute');
    expect(describeDuration(5400)).toBe('1 hour 30 minutes');
    expect(describeDuration(MAX_GRACE_SECONDS)).toBe('7 days');
    expect(describeDuration(90061)).toBe('1 day 1 hour');
  });

  it('summarises the secrets in use, counting down the grace window', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(secretSummary([{ generation: 1, expiresAt: null }], now)).toBe('One secret in use.');
    expect(
      secretSummary(
        [
          { generation: 2, expiresAt: null },
          { generation: 1, expiresAt: '2026-06-01T12:00:45Z' },
        ],
        now,
      ),
    ).toBe('The previous secret still works for 45 seconds.');
    expect(
      secretSummary(
        [
          { generation: 2, expiresAt: null },
          { generation: 1, expiresAt: '2026-06-01T11:59:00Z' },
        ],
        now,
      ),
    ).toBe('One secret in use.');
  });
});
