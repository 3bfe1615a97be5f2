import type { Role } from '../catalogue/scopes.js';
import type { Queryable } from '../db/db.js';

export interface Organization {
  id: string;
  name: string;
  createdAt: Date;
}

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

export const organizationStore = {
  async insert(q: Queryable, o: Organization): Promise<void> {
    await q.query('INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)', [o.id, o.name, o.createdAt]);
  },
  async addMember(q: Queryable, orgId: string, userId: string, role: Role, at: Date): Promise<void> {
    await q.query('INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)', [orgId, userId, role, at]);
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
