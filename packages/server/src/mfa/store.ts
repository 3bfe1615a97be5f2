import type { Queryable } from '../db/db.js';

export interface Passkey {
  id: string;
  userId: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface PasskeyRow {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: string | number;
  transports: string[];
  device_type: string;
  backed_up: boolean;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: r.transports,
  deviceType: r.device_type,
  backedUp: r.backed_up,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** [P6] Second factors: TOTP, passkeys, recovery codes, the pending sign-in and WebAuthn challenges. */
export const mfaStore = {
  // ---- TOTP
  async totp(q: Queryable, userId: string): Promise<{ secretEnc: string; confirmed: boolean } | null> {
    const rows = await q.query<{ secret_enc: string; confirmed_at: Date | null }>('SELECT secret_enc, confirmed_at FROM mfa_totp WHERE user_id = $1', [userId]);
    return rows[0] ? { secretEnc: rows[0].secret_enc, confirmed: rows[0].confirmed_at !== null } : null;
  },
  /** A new, unconfirmed enrolment replaces an unconfirmed one; never a confirmed one. */
  async startTotp(q: Queryable, userId: string, secretEnc: string, at: Date): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO mfa_totp (user_id, secret_enc, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, created_at = EXCLUDED.created_at, last_step = NULL
       WHERE mfa_totp.confirmed_at IS NULL RETURNING user_id`,
      [userId, secretEnc, at],
    );
    return rows.length === 1;
  },
  /**
   * Records `step` as used, only if it is later than the last one used: one UPDATE, so two
   * concurrent uses of the same code cannot both succeed (RFC 6238 §5.2: accept a code only once).
   */
  async useTotpStep(q: Queryable, userId: string, step: number, confirmAt?: Date): Promise<boolean> {
    const rows = await q.query(
      `UPDATE mfa_totp SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3)
       WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2) AND (confirmed_at IS NOT NULL OR $3::timestamptz IS NOT NULL)
       RETURNING user_id`,
      [userId, step, confirmAt ?? null],
    );
    return rows.length === 1;
  },
  async deleteTotp(q: Queryable, userId: string): Promise<boolean> {
    return (await q.query('DELETE FROM mfa_totp WHERE user_id = $1 RETURNING user_id', [userId])).length === 1;
  },

  // ---- Passkeys
  async passkeys(q: Queryable, userId: string): Promise<Passkey[]> {
    return (await q.query<PasskeyRow>('SELECT * FROM mfa_passkeys WHERE user_id = $1 ORDER BY created_at, id', [userId])).map(toPasskey);
  },
  async insertPasskey(q: Queryable, p: Passkey): Promise<void> {
    await q.query(
      `INSERT INTO mfa_passkeys (id, user_id, name, public_key, counter, transports, device_type, backed_up, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [p.id, p.userId, p.name, p.publicKey, p.counter, p.transports, p.deviceType, p.backedUp, p.createdAt],
    );
  },
  async passkeyUsed(q: Queryable, id: string, counter: number, backedUp: boolean, at: Date): Promise<void> {
    await q.query('UPDATE mfa_passkeys SET counter = $2, backed_up = $3, last_used_at = $4 WHERE id = $1', [id, counter, backedUp, at]);
  },
  async deletePasskey(q: Queryable, userId: string, id: string): Promise<boolean> {
    return (await q.query('DELETE FROM mfa_passkeys WHERE user_id = $1 AND id = $2 RETURNING id', [userId, id])).length === 1;
  },

  // ---- Recovery codes
  async replaceRecoveryCodes(q: Queryable, userId: string, hashes: string[]): Promise<void> {
    await q.query('DELETE FROM mfa_recovery_codes WHERE user_id = $1', [userId]);
    for (const h of hashes) await q.query('INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)', [userId, h]);
  },
  /** Deleting is using: a code works once, even when two requests race. */
  async useRecoveryCode(q: Queryable, userId: string, hash: string): Promise<boolean> {
    return (await q.query('DELETE FROM mfa_recovery_codes WHERE user_id = $1 AND code_hash = $2 RETURNING user_id', [userId, hash])).length === 1;
  },
  async recoveryCodesLeft(q: Queryable, userId: string): Promise<number> {
    const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = $1', [userId]);
    return Number(rows[0]?.n ?? 0);
  },

  /** The factors that count: a confirmed TOTP, passkeys. */
  async methods(q: Queryable, userId: string): Promise<{ totp: boolean; passkey: boolean }> {
    const rows = await q.query<{ totp: boolean; passkey: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM mfa_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS totp,
              EXISTS (SELECT 1 FROM mfa_passkeys WHERE user_id = $1) AS passkey`,
      [userId],
    );
    return { totp: rows[0]?.totp === true, passkey: rows[0]?.passkey === true };
  },

  // ---- The pending sign-in
  async insertPending(q: Queryable, idHash: string, userId: string, expiresAt: Date): Promise<void> {
    await q.query('INSERT INTO mfa_pending (id_hash, user_id, expires_at) VALUES ($1, $2, $3)', [idHash, userId, expiresAt]);
  },
  async findPending(q: Queryable, idHash: string, now: Date): Promise<{ userId: string; failures: number } | null> {
    const rows = await q.query<{ user_id: string; failures: number }>('SELECT user_id, failures FROM mfa_pending WHERE id_hash = $1 AND expires_at > $2', [
      idHash,
      now,
    ]);
    return rows[0] ? { userId: rows[0].user_id, failures: rows[0].failures } : null;
  },
  async pendingFailed(q: Queryable, idHash: string): Promise<number> {
    const rows = await q.query<{ failures: number }>('UPDATE mfa_pending SET failures = failures + 1 WHERE id_hash = $1 RETURNING failures', [idHash]);
    return rows[0]?.failures ?? Number.POSITIVE_INFINITY;
  },
  async deletePending(q: Queryable, idHash: string): Promise<boolean> {
    return (await q.query('DELETE FROM mfa_pending WHERE id_hash = $1 RETURNING id_hash', [idHash])).length === 1;
  },
  async deleteExpired(q: Queryable, now: Date): Promise<void> {
    await q.query('DELETE FROM mfa_pending WHERE expires_at <= $1', [now]);
    await q.query('DELETE FROM mfa_challenges WHERE expires_at <= $1', [now]);
  },

  // ---- WebAuthn challenges
  async putChallenge(q: Queryable, key: string, challenge: string, expiresAt: Date): Promise<void> {
    await q.query(
      `INSERT INTO mfa_challenges (key, challenge, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET challenge = EXCLUDED.challenge, expires_at = EXCLUDED.expires_at`,
      [key, challenge, expiresAt],
    );
  },
  /** Single use: taken (deleted) whether or not it is still valid. */
  async takeChallenge(q: Queryable, key: string, now: Date): Promise<string | null> {
    const rows = await q.query<{ challenge: string; expires_at: Date }>('DELETE FROM mfa_challenges WHERE key = $1 RETURNING challenge, expires_at', [key]);
    const row = rows[0];
    return row && row.expires_at.getTime() > now.getTime() ? row.challenge : null;
  },

  // ---- [P6] The organization's requirement
  async setOrgRequirement(q: Queryable, orgId: string, required: boolean): Promise<void> {
    await q.query('UPDATE organizations SET require_mfa_for_admins = $2 WHERE id = $1', [orgId, required]);
  },
  async orgRequirement(q: Queryable, orgId: string): Promise<boolean> {
    const rows = await q.query<{ r: boolean }>('SELECT require_mfa_for_admins AS r FROM organizations WHERE id = $1', [orgId]);
    return rows[0]?.r === true;
  },
  /** An owner or admin of an organization that requires a second factor, without one. */
  async mustEnrol(q: Queryable, orgId: string, userId: string): Promise<boolean> {
    const rows = await q.query<{ must: boolean }>(
      `SELECT (o.require_mfa_for_admins
               AND NOT EXISTS (SELECT 1 FROM mfa_totp WHERE user_id = $2 AND confirmed_at IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM mfa_passkeys WHERE user_id = $2)) AS must
       FROM organizations o WHERE o.id = $1`,
      [orgId, userId],
    );
    return rows[0]?.must === true;
  },
};
