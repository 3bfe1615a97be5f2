import type { Role } from '../catalogue/scopes.js';
import type { Queryable } from '../db/db.js';

/** An invitation as stored; the secret itself never is, only its keyed hash. */
export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  inviterName: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  org_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  inviter_name: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const toInvitation = (r: Row): Invitation => ({
  id: r.id,
  orgId: r.org_id,
  email: r.email,
  role: r.role,
  invitedBy: r.invited_by,
  inviterName: r.inviter_name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  acceptedAt: r.accepted_at,
  revokedAt: r.revoked_at,
});

const COLUMNS = 'id, org_id, email, role, invited_by, inviter_name, created_at, expires_at, accepted_at, revoked_at';

/** Pending: neither accepted nor revoked, and not yet expired at `now` (the application clock). */
const PENDING = 'accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2';

export const invitationStore = {
  async insert(q: Queryable, i: Omit<Invitation, 'acceptedAt' | 'revokedAt'> & { secretHash: string }): Promise<void> {
    await q.query(
      `INSERT INTO invitations (id, org_id, email, role, secret_hash, invited_by, inviter_name, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [i.id, i.orgId, i.email, i.role, i.secretHash, i.invitedBy, i.inviterName, i.createdAt, i.expiresAt],
    );
  },
  /** The pending invitation a secret's hash names; `forUpdate` locks it so that it is used once. */
  async findPendingBySecret(q: Queryable, secretHash: string, now: Date, forUpdate = false): Promise<Invitation | null> {
    const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM invitations WHERE secret_hash = $1 AND ${PENDING}${forUpdate ? ' FOR UPDATE' : ''}`, [
      secretHash,
      now,
    ]);
    return rows[0] ? toInvitation(rows[0]) : null;
  },
  /** Keyset page of an organization's pending invitations in id (creation) order. */
  async listPending(q: Queryable, orgId: string, now: Date, after: string | null, limit: number): Promise<Invitation[]> {
    const rows = await q.query<Row>(
      `SELECT ${COLUMNS} FROM invitations WHERE org_id = $1 AND ${PENDING} AND ($3::text IS NULL OR id > $3)
        ORDER BY id LIMIT $4`,
      [orgId, now, after, limit],
    );
    return rows.map(toInvitation);
  },
  /** Revokes a pending invitation of `orgId`; null when there is none (unknown, used, revoked, expired). */
  async revoke(q: Queryable, orgId: string, id: string, now: Date): Promise<Invitation | null> {
    const rows = await q.query<Row>(
      `UPDATE invitations SET revoked_at = $2 WHERE org_id = $1 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
       RETURNING ${COLUMNS}`,
      [orgId, now, id],
    );
    return rows[0] ? toInvitation(rows[0]) : null;
  },
  async markAccepted(q: Queryable, id: string, userId: string, at: Date): Promise<void> {
    await q.query('UPDATE invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1', [id, at, userId]);
  },
};
