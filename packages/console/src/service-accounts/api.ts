import type { CreateServiceAccount, SecretRotated, ServiceAccount, ServiceAccountCreated, UpdateServiceAccount } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

export type { SecretRotated, ServiceAccount };

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/service-accounts`;

/** §8 `/console/api/orgs/{orgId}/service-accounts`. */
export const serviceAccounts = {
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<ServiceAccount>>(base(orgId), { limit: 100, cursor }),
  get: (api: ConsoleApi, orgId: string, id: string) => api.get<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`),
  create: (api: ConsoleApi, orgId: string, body: CreateServiceAccount) => api.post<ServiceAccountCreated>(base(orgId), body),
  update: (api: ConsoleApi, orgId: string, id: string, body: UpdateServiceAccount) =>
    api.patch<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`, body),
  rotate: (api: ConsoleApi, orgId: string, id: string, graceSeconds: number) =>
    api.post<SecretRotated>(`${base(orgId)}/${encodeURIComponent(id)}/rotate-secret`, { graceSeconds }),
  setEnabled: (api: ConsoleApi, orgId: string, id: string, enabled: boolean) =>
    api.post<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`),
  remove: (api: ConsoleApi, orgId: string, id: string) => api.delete(`${base(orgId)}/${encodeURIComponent(id)}`),
};
