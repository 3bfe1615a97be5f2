import type { Enrolled, MfaStatus, Organization, PasskeyEnrolled, RecoveryCodes, TotpEnrolment, WebAuthnOptionsJson } from '@gatehouse/contract';
import type { ConsoleApi } from '../api/client';

/** [P6] The person's own second factors (`/console/api/me/mfa`) and the organization requirement. */
export const securityApi = (api: ConsoleApi) => ({
  status: () => api.get<MfaStatus>('/console/api/me/mfa'),
  startTotp: () => api.post<TotpEnrolment>('/console/api/me/mfa/totp'),
  confirmTotp: (code: string) => api.post<Enrolled>('/console/api/me/mfa/totp/confirm', { code }),
  removeTotp: () => api.delete('/console/api/me/mfa/totp'),
  passkeyOptions: () => api.post<WebAuthnOptionsJson>('/console/api/me/mfa/passkeys/options'),
  registerPasskey: (response: unknown, name: string) => api.post<PasskeyEnrolled>('/console/api/me/mfa/passkeys', { response, name }),
  removePasskey: (id: string) => api.delete(`/console/api/me/mfa/passkeys/${encodeURIComponent(id)}`),
  regenerate: () => api.post<RecoveryCodes>('/console/api/me/mfa/recovery-codes'),
  org: (orgId: string) => api.get<Organization>(`/console/api/orgs/${encodeURIComponent(orgId)}`),
  setRequirement: (orgId: string, requireMfaForAdmins: boolean) =>
    api.patch<Organization>(`/console/api/orgs/${encodeURIComponent(orgId)}`, { requireMfaForAdmins }),
});
