import type { Role } from '../catalogue/scopes.js';
import type { Queryable } from '../db/db.js';

export interface Organization {
  id: string;
  name: string;
  createdAt: Date;
  /** [P6] Set with `PATCH .../orgs/{orgId}` (mfa/); absent on insert. */
  requireMfaForAdmins?: boolean;
  /** Issue 14 item 5: a secret older than this is marked "rotation recommended"; absent on insert (default 90). */
  secretRotationDays?: number;
}

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

/** A member as the console lists them. */
export interface Member {
  /** The user id; named `id` so that keyset cursors page on it. */
  id: string;
  email: string;
  name: string;
  role: Role;
  deactivated: boolean;
  joinedAt: Date;
}

interface MemberRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  deactivated_at: Date | null;
  created_at: Date;
}
const toMember = (r: MemberRow): Member => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  deactivated: r.deactivated_at !== null,
  joinedAt: r.created_at,
});

export const organizationStore = {
  /** `createdBy`: the person who created it (none for the bootstrap organization). */
  async insert(q: Queryable, o: Organization & { createdBy?: string }): Promise<void> {
    await q.query('INSERT INTO organizations (id, name, created_at, created_by) VALUES ($1, $2, $3, $4)', [o.id, o.name, o.createdAt, o.createdBy ?? null]);
  },
  async createdBy(q: Queryable, id: string): Promise<string | null> {
    const rows = await q.query<{ created_by: string | null }>('SELECT created_by FROM organizations WHERE id = $1', [id]);
    return rows[0]?.created_by ?? null;
  },
  async find(q: Queryable, id: string): Promise<Organization | null> {
    const rows = await q.query<Organization>(
      `SELECT id, name, created_at AS "createdAt", require_mfa_for_admins AS "requireMfaForAdmins", secret_rotation_days AS "secretRotationDays"
         FROM organizations WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  },
  /**
   * Locks the organization's row for the rest of the transaction. Every membership change takes
   * this lock first, so two owners demoting each other at once take turns and one of them is
   * refused: the organization always keeps an owner.
   */
  async lock(q: Queryable, id: string): Promise<boolean> {
    const rows = await q.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [id]);
    return rows.length > 0;
  },
  /** Issue 14 item 5: the secret-rotation threshold; returns the previous value (for the audit event). */
  async setSecretRotationDays(q: Queryable, id: string, days: number): Promise<number> {
    const rows = await q.query<{ previous: number }>(
      `UPDATE organizations o SET secret_rotation_days = $2 FROM (SELECT secret_rotation_days AS previous FROM organizations WHERE id = $1) p
        WHERE o.id = $1 RETURNING p.previous`,
      [id, days],
    );
    return rows[0]!.previous;
  },
  async rename(q: Queryable, id: string, name: string): Promise<void> {
    await q.query('UPDATE organizations SET name = $2 WHERE id = $1', [id, name]);
  },
  async addMember(q: Queryable, orgId: string, userId: string, role: Role, at: Date): Promise<void> {
    await q.query('INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)', [orgId, userId, role, at]);
  },
  async setRole(q: Queryable, orgId: string, userId: string, role: Role): Promise<void> {
    await q.query('UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2', [orgId, userId, role]);
  },
  async removeMember(q: Queryable, orgId: string, userId: string): Promise<void> {
    await q.query('DELETE FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
  },
  /** Owners who can still sign in: a deactivated owner does not keep an organization owned. */
  async activeOwnerCount(q: Queryable, orgId: string, exceptUserId?: string): Promise<number> {
    const [row] = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.org_id = $1 AND m.role = 'owner' AND u.deactivated_at IS NULL AND ($2::text IS NULL OR m.user_id <> $2)`,
      [orgId, exceptUserId ?? null],
    );
    return row?.n ?? 0;
  },
  async member(q: Queryable, orgId: string, userId: string): Promise<Member | null> {
    const rows = await q.query<MemberRow>(
      `SELECT u.id, u.email, u.name, m.role, u.deactivated_at, m.created_at FROM memberships m
         JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2`,
      [orgId, userId],
    );
    return rows[0] ? toMember(rows[0]) : null;
  },
  /** Keyset page of members in user-id order. */
  async listMembers(q: Queryable, orgId: string, after: string | null, limit: number): Promise<Member[]> {
    const rows = await q.query<MemberRow>(
      `SELECT u.id, u.email, u.name, m.role, u.deactivated_at, m.created_at FROM memberships m
         JOIN users u ON u.id = m.user_id
        WHERE m.org_id = $1 AND ($2::text IS NULL OR u.id > $2) ORDER BY u.id LIMIT $3`,
      [orgId, after, limit],
    );
    return rows.map(toMember);
  },
  async membershipsOf(q: Queryable, userId: string): Promise<Membership[]> {
    return q.query<Membership>(
      `SELECT m.org_id AS "orgId", o.name AS "orgName", m.role FROM memberships m
       JOIN organizations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.created_at, o.id`,
      [userId],
    );
  },
  async roleOf(q: Queryable, orgId: string, userId: string): Promise<Role | null> {
    const rows = await q.query<{ role: Role }>('SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
    return rows[0]?.role ?? null;
  },
};
