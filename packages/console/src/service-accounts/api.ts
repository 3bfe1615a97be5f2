import type { ConsoleApi, Page } from '../api/client';

export interface ServiceAccount {
  id: string;
  clientId: string;
  orgId: string;
  name: string;
  scopes: string[];
  status: 'active' | 'disabled' | 'expired';
  expiresAt: string | null;
  disabledAt: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  lastTokenIssuedAt: string | null;
  secrets: Array<{ id: string; generation: number; createdAt: string; expiresAt: string | null }>;
}

export interface Rotated {
  clientSecret: string;
  generation: number;
  previousSecretExpiresAt: string;
  serviceAccount: ServiceAccount;
}

const base = (orgId: string) => `/console/api/orgs/${encodeURIComponent(orgId)}/service-accounts`;

/** §8 `/console/api/orgs/{orgId}/service-accounts`. */
export const serviceAccounts = {
  list: (api: ConsoleApi, orgId: string, cursor?: string | null) => api.get<Page<ServiceAccount>>(base(orgId), { limit: 100, cursor }),
  get: (api: ConsoleApi, orgId: string, id: string) => api.get<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`),
  create: (api: ConsoleApi, orgId: string, body: { name: string; scopes: string[]; expiresAt?: string }) =>
    api.post<ServiceAccount & { clientSecret: string }>(base(orgId), body),
  update: (api: ConsoleApi, orgId: string, id: string, body: { name?: string; scopes?: string[]; expiresAt?: string | null }) =>
    api.patch<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}`, body),
  rotate: (api: ConsoleApi, orgId: string, id: string, graceSeconds: number) =>
    api.post<Rotated>(`${base(orgId)}/${encodeURIComponent(id)}/rotate-secret`, { graceSeconds }),
  setEnabled: (api: ConsoleApi, orgId: string, id: string, enabled: boolean) =>
    api.post<ServiceAccount>(`${base(orgId)}/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`),
  remove: (api: ConsoleApi, orgId: string, id: string) => api.delete(`${base(orgId)}/${encodeURIComponent(id)}`),
};
