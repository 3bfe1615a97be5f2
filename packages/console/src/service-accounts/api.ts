import type {
  CreateServiceAccount,
  Organization,
  SecretRotated,
  ServiceAccount,
  ServiceAccountActivity,
  ServiceAccountCreated,
  UpdateServiceAccount,
} from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

export type { SecretRotated, ServiceAccount, ServiceAccountActivity };

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/service-accounts`;

/** §8 `/console/api/orgs/{orgId}/service-accounts`. */
export const serviceAccounts = {
  /** `unusedForDays`: only accounts without a token in that many days (issue 14 item 5). */
  list: (api: ConsoleApi, orgId: string, cursor?: string | null, unusedForDays?: number) =>
    api.get<Page<ServiceAccount>>(base(orgId), { limit: 100, cursor, unusedForDays }),
  get: (api: ConsoleApi, orgId: string, id: string) => api.get<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`),
  create: (api: ConsoleApi, orgId: string, body: CreateServiceAccount) => api.post<ServiceAccountCreated>(base(orgId), body),
  update: (api: ConsoleApi, orgId: string, id: string, body: UpdateServiceAccount) =>
    api.patch<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`, body),
  rotate: (api: ConsoleApi, orgId: string, id: string, graceSeconds: number) =>
    api.post<SecretRotated>(`${base(orgId)}/${encodeURIComponent(id)}/rotate-secret`, { graceSeconds }),
  setEnabled: (api: ConsoleApi, orgId: string, id: string, enabled: boolean) =>
    api.post<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`),
  remove: (api: ConsoleApi, orgId: string, id: string) => api.delete(`${base(orgId)}/${encodeURIComponent(id)}`),
  activity: (api: ConsoleApi, orgId: string, id: string) => api.get<ServiceAccountActivity>(`${base(orgId)}/${encodeURIComponent(id)}/activity`),
  organization: (api: ConsoleApi, orgId: string) => api.get<Organization>(`/console/api/orgs/${encodeURIComponent(orgId)}`),
  /** Owners: after how many days a secret is marked "rotation recommended". */
  setRotationDays: (api: ConsoleApi, orgId: string, secretRotationDays: number) =>
    api.patch<Organization>(`/console/api/orgs/${encodeURIComponent(orgId)}`, { secretRotationDays }),
};
