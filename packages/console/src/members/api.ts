import type { AddMember, ChangeRole, Member, MemberAdded } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

export type { Member };

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/members`;

/** §8 `/console/api/orgs/{orgId}/members`. */
export const members = {
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<Member>>(base(orgId), { limit: 200, cursor }),
  add: (api: ConsoleApi, orgId: string, body: AddMember) => api.post<MemberAdded>(base(orgId), body),
  changeRole: (api: ConsoleApi, orgId: string, userId: string, role: ChangeRole['role']) =>
    api.patch<Member>(`${base(orgId)}/${encodeURIComponent(userId)}`, { role }),
  remove: (api: ConsoleApi, orgId: string, userId: string) => api.delete(`${base(orgId)}/${encodeURIComponent(userId)}`),
};
