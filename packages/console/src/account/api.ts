import type { ConsoleSessionInfo, Session } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

/** [P3] What an invitation link offers. */
export interface InvitationPreview {
  organization: { id: string; name: string };
  email: string;
  role: string;
  invitedBy: { name: string };
  expiresAt: string;
}

/** §11: the person's own account — password [P4] [P5], sessions [P7], invitations [P3]. */
export const account = {
  changePassword: (api: ConsoleApi, currentPassword: string, newPassword: string) =>
    api.post<null>('/console/api/me/password', { currentPassword, newPassword }),
  sessions: (api: ConsoleApi) => api.get<Page<ConsoleSessionInfo>>('/console/api/me/sessions'),
  endSession: (api: ConsoleApi, id: string) => api.delete(`/console/api/me/sessions/${encodeURIComponent(id)}`),
  endOtherSessions: (api: ConsoleApi) => api.delete('/console/api/me/sessions'),
  requestReset: (api: ConsoleApi, email: string) => api.post<null>('/console/api/password-reset', { email }),
  completeReset: (api: ConsoleApi, secret: string, newPassword: string) =>
    api.post<null>(`/console/api/password-reset/${encodeURIComponent(secret)}`, { newPassword }),
  previewInvitation: (api: ConsoleApi, secret: string) => api.get<InvitationPreview>(`/console/api/invitations/${encodeURIComponent(secret)}`),
  acceptInvitation: (api: ConsoleApi, secret: string, body: { name?: string; password?: string }) =>
    api.post<Session>(`/console/api/invitations/${encodeURIComponent(secret)}/accept`, body),
};
