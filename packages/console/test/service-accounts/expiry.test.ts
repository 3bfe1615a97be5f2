import { describe, expect, it } from 'vitest';
import { expiryInputToIso, isoToExpiryInput, minExpiryInput } from '../../src/service-accounts/expiry';

describe('service-account expiry from a date input', () => {
  it('a chosen day means usable through the end of that local day', () => {
    const iso = expiryInputToIso('2026-12-31')!;
    const d = new Date(iso);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([2026, 11, 31, 23, 59, 59]);
  });

  it('empty or malformed is no expiry', () => {
    expect(expiryInputToIso('')).toBeNull();
    expect(expiryInputToIso('31/12/2026')).toBeNull();
  });

  it('round-trips to the input value', () => {
    expect(isoToExpiryInput(expiryInputToIso('2027-02-03'))).toBe('2027-02-03');
    expect(isoToExpiryInput(null)).toBe('');
    expect(minExpiryInput(new Date(2026, 0, 5, 10))).toBe('2026-01-05');
  });
});
