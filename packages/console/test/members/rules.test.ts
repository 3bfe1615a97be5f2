import { describe, expect, it } from 'vitest';
import { canManageMembers, canManageServiceAccounts, canReadAudit, lastOwnerLock, ROLES } from '../../src/members/rules';

describe('member rules shown in the console', () => {
  it('only the last active owner is locked', () => {
    const one = [
      { userId: 'a', role: 'owner' as const },
      { userId: 'b', role: 'admin' as const },
    ];
    expect(lastOwnerLock(one, 'a')).toMatch(/must keep an owner/);
    expect(lastOwnerLock(one, 'b')).toBeNull();
    const two = [...one, { userId: 'c', role: 'owner' as const }];
    expect(lastOwnerLock(two, 'a')).toBeNull();
  });

  it('a deactivated owner does not count as the owner who remains', () => {
    const members = [
      { userId: 'a', role: 'owner' as const },
      { userId: 'c', role: 'owner' as const, status: 'deactivated' as const },
    ];
    expect(lastOwnerLock(members, 'a')).toMatch(/must keep an owner/);
    expect(lastOwnerLock(members, 'c')).toBeNull();
    expect(lastOwnerLock(members, 'nobody')).toBeNull();
  });

  it('capabilities follow §6', () => {
    expect(ROLES.filter(canManageServiceAccounts)).toEqual(['admin', 'owner']);
    expect(ROLES.filter(canReadAudit)).toEqual(['admin', 'owner']);
    expect(ROLES.filter(canManageMembers)).toEqual(['owner']);
  });
});
