import type { ConsoleApi, Page } from '../api/client';
import type { Role } from '../session/session';

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'deactivated';
  joinedAt: string;
}

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/members`;

/** §8 `/console/api/orgs/{orgId}/members`. */
export const members = {
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<Member>>(base(orgId), { limit: 200, cursor }),
  add: (api: ConsoleApi, orgId: string, body: { email: string; role: Role; password?: string }) =>
    api.post<{ userId: string; email: string; role: Role; initialPassword?: string }>(base(orgId), body),
  changeRole: (api: ConsoleApi, orgId: string, userId: string, role: Role) => api.patch<Member>(`${base(orgId)}/${encodeURIComponent(userId)}`, { role }),
  remove: (api: ConsoleApi, orgId: string, userId: string) => api.delete(`${base(orgId)}/${encodeURIComponent(userId)}`),
};
