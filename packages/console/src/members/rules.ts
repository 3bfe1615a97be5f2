import type { Role } from '../session/session';

/** §6 roles, least to most, and what each adds: shown on the Members page, not just enforced. */
export const ROLES: readonly Role[] = ['viewer', 'member', 'admin', 'owner'];

export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: 'Every :read scope on the APIs.',
  member: 'Viewer, plus every :write scope.',
  admin: 'Member, plus managing service accounts and reading the audit log.',
  owner: 'Admin, plus managing members and the organization.',
};

/**
 * [C5] What a role grants on the APIs, from the loaded catalogue's role table, and in the console.
 * Null while the catalogue loads: the console part alone is shown.
 */
export function roleGrants(role: Role, roles: Readonly<Record<Role, readonly string[]>> | null): { scopes: readonly string[] | null; console: string } {
  return { scopes: roles ? roles[role] : null, console: CONSOLE_SUMMARY[role] };
}

const CONSOLE_SUMMARY: Record<Role, string> = {
  viewer: 'No console management.',
  member: 'No console management.',
  admin: 'Manages service accounts and reads the audit log.',
  owner: 'Admin, plus managing members and the organization.',
};

export const canManageServiceAccounts = (role: Role): boolean => role === 'admin' || role === 'owner';
export const canReadAudit = (role: Role): boolean => role === 'admin' || role === 'owner';
export const canManageMembers = (role: Role): boolean => role === 'owner';

export interface MemberLike {
  userId: string;
  role: Role;
  status?: 'active' | 'deactivated';
}

/**
 * Why a member's role may not be changed or the member removed, or null when it may. "An
 * organization always keeps an owner" (§8): the last owner can be neither demoted nor removed.
 */
export function lastOwnerLock(members: readonly MemberLike[], userId: string): string | null {
  const member = members.find((m) => m.userId === userId);
  if (member?.role !== 'owner') return null;
  const otherOwners = members.filter((m) => m.userId !== userId && m.role === 'owner' && m.status !== 'deactivated');
  return otherOwners.length === 0 ? 'The organization must keep an owner: make someone else owner first.' : null;
}
