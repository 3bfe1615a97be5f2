import type { Queryable } from '../db/db.js';

export const sessionStore = {
  async insert(q: Queryable, s: { idHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await q.query('INSERT INTO console_sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      s.idHash,
      s.userId,
      s.createdAt,
      s.expiresAt,
    ]);
  },
  async find(q: Queryable, idHash: string): Promise<{ userId: string; expiresAt: Date } | null> {
    const rows = await q.query<{ user_id: string; expires_at: Date }>('SELECT user_id, expires_at FROM console_sessions WHERE id_hash = $1', [idHash]);
    return rows[0] ? { userId: rows[0].user_id, expiresAt: rows[0].expires_at } : null;
  },
  async delete(q: Queryable, idHash: string): Promise<void> {
    await q.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
  },
  async deleteExpired(q: Queryable, now: Date): Promise<void> {
    await q.query('DELETE FROM console_sessions WHERE expires_at <= $1', [now]);
  },
};
