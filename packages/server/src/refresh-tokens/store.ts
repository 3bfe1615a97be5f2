import type { Queryable } from '../db/db.js';

/** [B4] A refresh token expires after this many seconds without a successful use. */
export const IDLE_EXPIRY_SECONDS = 365 * 24 * 3600;

export interface RefreshToken {
  id: string;
  userId: string;
  name: string;
  /** The keyed hash of the whole token string; never leaves the server. */
  hash: string;
  /** [B8] narrowing chosen at creation; null = not narrowed. */
  scopes: string[] | null;
  orgIds: string[] | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string[] | null;
  org_ids: string[] | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: Row): RefreshToken => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  hash: r.token_hash,
  scopes: r.scopes,
  orgIds: r.org_ids,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** [B4] The moment a token stops working unless it is used before then. */
export const expiresAt = (t: Pick<RefreshToken, 'createdAt' | 'lastUsedAt'>): Date =>
  new Date((t.lastUsedAt ?? t.createdAt).getTime() + IDLE_EXPIRY_SECONDS * 1000);

/** One successful use to record: the grant is answered only if this row still qualifies. */
export interface Use {
  tokenId: string;
  at: Date;
}

export const refreshTokenStore = {
  async insert(q: Queryable, t: Omit<RefreshToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
    await q.query(
      `INSERT INTO refresh_tokens (id, user_id, name, token_hash, scopes, org_ids, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [t.id, t.userId, t.name, t.hash, t.scopes, t.orgIds, t.createdAt],
    );
  },
  async find(q: Queryable, id: string): Promise<RefreshToken | null> {
    const rows = await q.query<Row>('SELECT * FROM refresh_tokens WHERE id = $1', [id]);
    return rows[0] ? toToken(rows[0]) : null;
  },
  /** A user's tokens that still work or could (revoked ones are not listed), keyset-paged by id. */
  async listActive(q: Queryable, userId: string, now: Date, after: string | null, limit: number): Promise<RefreshToken[]> {
    const rows = await q.query<Row>(
      `SELECT * FROM refresh_tokens
        WHERE user_id = $1 AND revoked_at IS NULL
          AND COALESCE(last_used_at, created_at) > $2::timestamptz - make_interval(secs => $3)
          AND ($4::text IS NULL OR id > $4)
        ORDER BY id LIMIT $5`,
      [userId, now, IDLE_EXPIRY_SECONDS, after, limit],
    );
    return rows.map(toToken);
  },
  /** Revokes one token; false when it was unknown or already revoked. */
  async revoke(q: Queryable, id: string, at: Date, by: string): Promise<boolean> {
    const rows = await q.query('UPDATE refresh_tokens SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id, at, by]);
    return rows.length > 0;
  },
  /** [B7] Revokes every live token of a user; returns their ids. */
  async revokeAllOf(q: Queryable, userId: string, at: Date, by: string): Promise<string[]> {
    const rows = await q.query<{ id: string }>(
      'UPDATE refresh_tokens SET revoked_at = $2, revoked_by = $3 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
      [userId, at, by],
    );
    return rows.map((r) => r.id);
  },
  /**
   * Records successful uses [B4] and answers which tokens they were allowed for: a token revoked
   * or idle-expired by the time this statement runs is not updated and not returned. The row lock
   * orders a use against a concurrent revocation: whichever commits first wins, so no grant is
   * answered after its revocation has been. `last_used_at` only moves forward.
   */
  async recordUses(q: Queryable, uses: readonly Use[]): Promise<Set<string>> {
    const rows = await q.query<{ id: string }>(
      `UPDATE refresh_tokens r SET last_used_at = GREATEST(r.last_used_at, u.at)
         FROM (SELECT id, max(at) AS at FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at) GROUP BY id) u
        WHERE r.id = u.id AND r.revoked_at IS NULL
          AND COALESCE(r.last_used_at, r.created_at) > u.at - make_interval(secs => $3)
        RETURNING r.id`,
      [uses.map((u) => u.tokenId), uses.map((u) => u.at.toISOString()), IDLE_EXPIRY_SECONDS],
    );
    return new Set(rows.map((r) => r.id));
  },
};
