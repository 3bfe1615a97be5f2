import type { Queryable } from '../db/db.js';

/** [P5] Password resets: only the keyed hash of the link's secret is stored. */
export const passwordResetStore = {
  async insert(q: Queryable, r: { id: string; userId: string; secretHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await q.query('INSERT INTO password_resets (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      r.id,
      r.userId,
      r.secretHash,
      r.createdAt,
      r.expiresAt,
    ]);
  },
  /** A usable reset (unused, unexpired), locked so that two uses of one link cannot both pass. */
  async findUsable(q: Queryable, secretHash: string, now: Date): Promise<{ id: string; userId: string } | null> {
    const rows = await q.query<{ id: string; user_id: string }>(
      'SELECT id, user_id FROM password_resets WHERE secret_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE',
      [secretHash, now],
    );
    return rows[0] ? { id: rows[0].id, userId: rows[0].user_id } : null;
  },
  /** Using one link spends every other link of the same person too. */
  async useAllOf(q: Queryable, userId: string, at: Date): Promise<void> {
    await q.query('UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL', [userId, at]);
  },
  async deleteExpired(q: Queryable, now: Date): Promise<void> {
    await q.query('DELETE FROM password_resets WHERE expires_at <= $1', [now]);
  },
};
