import type { Queryable } from '../db/db.js';

export interface SessionRow {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  userAgent: string;
  address: string;
}

interface Row {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  user_agent: string;
  address: string;
}

const COLUMNS = 'id, user_id, created_at, expires_at, last_seen_at, user_agent, address';
const toSession = (r: Row): SessionRow => ({
  id: r.id,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastSeenAt: r.last_seen_at,
  userAgent: r.user_agent,
  address: r.address,
});

/** Console sessions: the cookie value is never stored, only its keyed hash; `id` is public. */
export const sessionStore = {
  async insert(q: Queryable, s: SessionRow & { idHash: string }): Promise<void> {
    await q.query(
      'INSERT INTO console_sessions (id_hash, id, user_id, created_at, expires_at, last_seen_at, user_agent, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [s.idHash, s.id, s.userId, s.createdAt, s.expiresAt, s.lastSeenAt, s.userAgent, s.address],
    );
  },
  async find(q: Queryable, idHash: string): Promise<SessionRow | null> {
    const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM console_sessions WHERE id_hash = $1`, [idHash]);
    return rows[0] ? toSession(rows[0]) : null;
  },
  async touch(q: Queryable, idHash: string, at: Date): Promise<void> {
    await q.query('UPDATE console_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2', [idHash, at]);
  },
  async listOf(q: Queryable, userId: string): Promise<SessionRow[]> {
    const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM console_sessions WHERE user_id = $1 ORDER BY last_seen_at DESC, id`, [userId]);
    return rows.map(toSession);
  },
  async delete(q: Queryable, idHash: string): Promise<void> {
    await q.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
  },
  /** Ends one of the person's sessions by its public id; false when it is not theirs or gone. */
  async deleteById(q: Queryable, userId: string, id: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM console_sessions WHERE user_id = $1 AND id = $2 RETURNING id', [userId, id]);
    return rows.length > 0;
  },
  /** Ends every session of the person but `keepIdHash` (none kept when null); returns how many. */
  async deleteOthers(q: Queryable, userId: string, keepIdHash: string | null): Promise<number> {
    const rows = await q.query('DELETE FROM console_sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2 RETURNING id', [userId, keepIdHash]);
    return rows.length;
  },
  async deleteExpired(q: Queryable, now: Date, idleSince: Date): Promise<void> {
    await q.query('DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, idleSince]);
  },
};
