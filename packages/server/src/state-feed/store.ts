import { serviceAccountToWire, userToWire, type ServiceAccountWire, type UserWire } from '@gatehouse/access';
import type { Queryable } from '../db/db.js';

// The feed's wire schema is the access core's, shared with the SDK verifier that reads it.
export type { ServiceAccountWire, UserWire } from '@gatehouse/access';
export const serviceAccountWire = serviceAccountToWire;
export const userWire = userToWire;

/** Every principal at once, for the snapshot a verifier receives when it connects. */
export const stateFeedStore = {
  async snapshot(q: Queryable, v: number): Promise<{ serviceAccounts: ServiceAccountWire[]; users: UserWire[] }> {
    const accounts = await q.query<{
      id: string;
      org_id: string;
      name: string;
      scopes: string[];
      disabled: boolean;
      expires_at: Date | null;
      token_epoch: number;
    }>('SELECT id, org_id, name, scopes, disabled_at IS NOT NULL AS disabled, expires_at, token_epoch FROM service_accounts ORDER BY id');
    const users = await q.query<{ id: string; email: string; deactivated: boolean; token_epoch: number }>(
      'SELECT id, email, deactivated_at IS NOT NULL AS deactivated, token_epoch FROM users ORDER BY id',
    );
    const memberships = await q.query<{ user_id: string; org_id: string; role: string }>('SELECT user_id, org_id, role FROM memberships');
    const roles = new Map<string, Record<string, string>>();
    for (const m of memberships) {
      let r = roles.get(m.user_id);
      if (!r) {
        r = {};
        roles.set(m.user_id, r);
      }
      r[m.org_id] = m.role;
    }
    return {
      serviceAccounts: accounts.map((a) => ({
        id: a.id,
        orgId: a.org_id,
        name: a.name,
        scopes: a.scopes,
        disabled: a.disabled,
        expiresAt: a.expires_at ? new Date(a.expires_at).toISOString() : null,
        tokenEpoch: a.token_epoch,
        v,
      })),
      users: users.map((u) => ({ id: u.id, name: u.email, deactivated: u.deactivated, tokenEpoch: u.token_epoch, roles: roles.get(u.id) ?? {}, v })),
    };
  },
};
