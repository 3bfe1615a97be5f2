import type { Queryable } from '../db/db.js';
import { normalizeEmail } from './email.js';

export interface User {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
  deactivatedAt: Date | null;
  tokenEpoch: number;
  /** [P4] A generated password: nothing else until it is changed. */
  mustChangePassword: boolean;
}

interface Row {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: Date;
  deactivated_at: Date | null;
  token_epoch: number;
  must_change_password: boolean;
}

const toUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  deactivatedAt: r.deactivated_at,
  tokenEpoch: r.token_epoch,
  mustChangePassword: r.must_change_password,
});

export const userStore = {
  async insert(q: Queryable, u: Pick<User, 'id' | 'email' | 'name' | 'passwordHash' | 'createdAt'> & { mustChangePassword?: boolean }): Promise<void> {
    await q.query('INSERT INTO users (id, email, name, password_hash, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6)', [
      u.id,
      normalizeEmail(u.email),
      u.name,
      u.passwordHash,
      u.createdAt,
      u.mustChangePassword ?? false,
    ]);
  },
  /** [P4] [P5] A password the person chose: the forced change is done. */
  async setPassword(q: Queryable, id: string, passwordHash: string): Promise<void> {
    await q.query('UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1', [id, passwordHash]);
  },
  /**
   * [P8] Stored and looked up normalized. lower() on the column keeps the unique index usable and
   * still finds rows stored, before normalization, with ASCII capitals.
   */
  async findByEmail(q: Queryable, email: string): Promise<User | null> {
    const rows = await q.query<Row>('SELECT * FROM users WHERE lower(email) = lower($1)', [normalizeEmail(email)]);
    return rows[0] ? toUser(rows[0]) : null;
  },
  async find(q: Queryable, id: string): Promise<User | null> {
    const rows = await q.query<Row>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  },
  async findForUpdate(q: Queryable, id: string): Promise<User | null> {
    const rows = await q.query<Row>('SELECT * FROM users WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  },
  /**
   * [B7] Deactivation moves the token epoch on, so every access token minted before it fails;
   * reactivation clears the flag but never moves the epoch back.
   */
  async deactivate(q: Queryable, id: string, at: Date): Promise<void> {
    await q.query('UPDATE users SET deactivated_at = $2, token_epoch = token_epoch + 1 WHERE id = $1', [id, at]);
  },
  async reactivate(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE users SET deactivated_at = NULL WHERE id = $1', [id]);
  },
  async deleteSessions(q: Queryable, id: string): Promise<void> {
    await q.query('DELETE FROM console_sessions WHERE user_id = $1', [id]);
  },
  async count(q: Queryable): Promise<number> {
    const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return row?.n ?? 0;
  },
};
