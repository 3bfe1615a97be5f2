import { describe, expect, it } from 'vitest';
import { canManageMembers, canManageServiceAccounts, canReadAudit, lastOwnerLock, ROLES, roleGrants } from '../../src/members/rules';

describe('member rules shown in the console', () => {
  it('[C5] what a role grants on the APIs comes from the catalogue role table', () => {
    const roles = { viewer: ['orders:read'], member: ['orders:read', 'orders:write'], admin: ['orders:read'], owner: [] };
    expect(roleGrants('member', roles).scopes).toEqual(['orders:read', 'orders:write']);
    expect(roleGrants('owner', roles)).toEqual({ scopes: [], console: expect.stringMatching(/managing members/) });
    expect(roleGrants('viewer', null).scopes).toBeNull(); // still loading: the console part alone
  });

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
