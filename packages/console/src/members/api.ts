import type { ChangeRole, Member, Role } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

export type { Member };

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/members`;
const invitationsBase = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/invitations`;

/** [P1] A pending invitation as listed (never its link). */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  invitedBy: { id: string | null; name: string };
}
export interface CreatedInvitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  inviteUrl: string;
  mailed: boolean;
}

/** §8 `/console/api/orgs/{orgId}/members`: list, change role, remove. [P2] People join by invitation only. */
export const members = {
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<Member>>(base(orgId), { limit: 200, cursor }),
  changeRole: (api: ConsoleApi, orgId: string, userId: string, role: ChangeRole['role']) =>
    api.patch<Member>(`${base(orgId)}/${encodeURIComponent(userId)}`, { role }),
  remove: (api: ConsoleApi, orgId: string, userId: string) => api.delete(`${base(orgId)}/${encodeURIComponent(userId)}`),
};

/** §11 [P1] `/console/api/orgs/{orgId}/invitations`. */
export const invitations = {
  create: (api: ConsoleApi, orgId: string, body: { email: string; role: Role }) => api.post<CreatedInvitation>(invitationsBase(orgId), body),
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<Invitation>>(invitationsBase(orgId), { limit: 200, cursor }),
  revoke: (api: ConsoleApi, orgId: string, id: string) => api.delete(`${invitationsBase(orgId)}/${encodeURIComponent(id)}`),
};
