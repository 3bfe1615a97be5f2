import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from '../support/harness.js';

export const invitationsUrl = (orgId: string) => `/console/api/orgs/${orgId}/invitations`;
export const secretOf = (inviteUrl: string): string => inviteUrl.split('/invite/')[1]!;

/** Invites `email` to `role` in the harness's organization as its owner; returns the created body. */
export async function invite(h: Harness, email: string, role = 'member', orgId = h.orgId) {
  const res = await h.owner.request('POST', invitationsUrl(orgId), { email, role });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; email: string; role: string; expiresAt: string; inviteUrl: string };
}

/** Accepts without a session (creating the account). */
export const acceptAsNewcomer = (h: Harness, secret: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> =>
  h.gh.app.inject({ method: 'POST', url: `/console/api/invitations/${secret}/accept`, payload: body });

export const cookieOf = (res: LightMyRequestResponse): string => {
  const setCookie = res.headers['set-cookie'];
  return String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
};
