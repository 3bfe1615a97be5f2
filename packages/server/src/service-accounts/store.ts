import type { Queryable } from '../db/db.js';

export interface ServiceAccount {
  id: string;
  orgId: string;
  name: string;
  scopes: string[];
  expiresAt: Date | null;
  disabledAt: Date | null;
  tokenEpoch: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  lastTokenIssuedAt: Date | null;
}

export interface ClientSecret {
  id: string;
  generation: number;
  hash: string;
  createdAt: Date;
  /** null for the current secret; the end of the grace window for the previous one [A5]. */
  expiresAt: Date | null;
}

const COLUMNS = `id, org_id, name, scopes, expires_at, disabled_at, token_epoch, created_at, created_by,
  updated_at, last_token_issued_at`;

interface Row {
  id: string;
  org_id: string;
  name: string;
  scopes: string[];
  expires_at: Date | null;
  disabled_at: Date | null;
  token_epoch: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  last_token_issued_at: Date | null;
}

const toAccount = (r: Row): ServiceAccount => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  scopes: r.scopes,
  expiresAt: r.expires_at,
  disabledAt: r.disabled_at,
  tokenEpoch: r.token_epoch,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  lastTokenIssuedAt: r.last_token_issued_at,
});

/** SQL for service accounts and their client secrets; the rules live in service.ts. */
export const serviceAccountStore = {
  async insert(q: Queryable, a: Omit<ServiceAccount, 'disabledAt' | 'tokenEpoch' | 'lastTokenIssuedAt'>): Promise<void> {
    await q.query(
      `INSERT INTO service_accounts (id, org_id, name, scopes, expires_at, created_at, created_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.id, a.orgId, a.name, a.scopes, a.expiresAt, a.createdAt, a.createdBy, a.updatedAt],
    );
  },

  async find(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ServiceAccount | null> {
    const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM service_accounts WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  },

  async findInOrg(q: Queryable, orgId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<ServiceAccount | null> {
    const a = await this.find(q, id, opts);
    return a && a.orgId === orgId ? a : null;
  },

  /**
   * Keyset page in id order (ids are ULIDs, so creation order). `unusedSince`: only accounts with
   * no successful grant since then, never-used ones included (issue 14 item 5).
   */
  async listByOrg(q: Queryable, orgId: string, after: string | null, limit: number, unusedSince: Date | null = null): Promise<ServiceAccount[]> {
    const rows = await q.query<Row>(
      `SELECT ${COLUMNS} FROM service_accounts WHERE org_id = $1 AND ($2::text IS NULL OR id > $2)
         AND ($4::timestamptz IS NULL OR last_token_issued_at IS NULL OR last_token_issued_at < $4)
       ORDER BY id LIMIT $3`,
      [orgId, after, limit, unusedSince],
    );
    return rows.map(toAccount);
  },

  /** `endTokens` moves the token epoch on, as a disable does ([A8]: an expired account behaves as disabled). */
  async update(
    q: Queryable,
    id: string,
    fields: { name: string; scopes: string[]; expiresAt: Date | null; updatedAt: Date; endTokens: boolean },
  ): Promise<void> {
    await q.query(
      `UPDATE service_accounts SET name = $2, scopes = $3, expires_at = $4, updated_at = $5,
         token_epoch = token_epoch + CASE WHEN $6::boolean THEN 1 ELSE 0 END
       WHERE id = $1`,
      [id, fields.name, fields.scopes, fields.expiresAt, fields.updatedAt, fields.endTokens],
    );
  },

  /** [A7]: disabling bumps the token epoch, so every token minted before it stops working. */
  async setDisabled(q: Queryable, id: string, disabledAt: Date | null, now: Date): Promise<void> {
    await q.query(
      `UPDATE service_accounts SET disabled_at = $2, updated_at = $3,
         token_epoch = token_epoch + CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE 1 END
       WHERE id = $1`,
      [id, disabledAt, now],
    );
  },

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query('DELETE FROM service_accounts WHERE id = $1', [id]);
    await q.query('DELETE FROM service_account_grant_days WHERE service_account_id = $1', [id]);
  },

  async secrets(q: Queryable, serviceAccountId: string): Promise<ClientSecret[]> {
    return (await this.secretsOf(q, [serviceAccountId])).get(serviceAccountId) ?? [];
  },

  /** The secrets of several accounts in one query (a console page), newest generation first. */
  async secretsOf(q: Queryable, serviceAccountIds: string[]): Promise<Map<string, ClientSecret[]>> {
    const rows = await q.query<{ service_account_id: string; id: string; generation: number; secret_hash: string; created_at: Date; expires_at: Date | null }>(
      `SELECT service_account_id, id, generation, secret_hash, created_at, expires_at FROM service_account_secrets
       WHERE service_account_id = ANY($1::text[]) ORDER BY generation DESC`,
      [serviceAccountIds],
    );
    const bySa = new Map<string, ClientSecret[]>();
    for (const r of rows) {
      const list = bySa.get(r.service_account_id) ?? [];
      list.push({ id: r.id, generation: r.generation, hash: r.secret_hash, createdAt: r.created_at, expiresAt: r.expires_at });
      bySa.set(r.service_account_id, list);
    }
    return bySa;
  },

  async insertSecret(q: Queryable, serviceAccountId: string, s: Omit<ClientSecret, 'expiresAt'>): Promise<void> {
    await q.query(
      `INSERT INTO service_account_secrets (id, service_account_id, generation, secret_hash, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [s.id, serviceAccountId, s.generation, s.hash, s.createdAt],
    );
  },

  /**
   * [A5] The rotation step on the old secrets, in the caller's transaction: every secret already
   * in a grace window (or past it) is deleted, so that rotating during a window ends the older
   * window at once; the current secret gets `graceEndsAt` (deleted too when the grace is 0).
   */
  async retireSecrets(q: Queryable, serviceAccountId: string, graceEndsAt: Date, now: Date): Promise<void> {
    await q.query('DELETE FROM service_account_secrets WHERE service_account_id = $1 AND expires_at IS NOT NULL', [serviceAccountId]);
    if (graceEndsAt.getTime() <= now.getTime()) {
      await q.query('DELETE FROM service_account_secrets WHERE service_account_id = $1', [serviceAccountId]);
    } else {
      await q.query('UPDATE service_account_secrets SET expires_at = $2 WHERE service_account_id = $1 AND expires_at IS NULL', [serviceAccountId, graceEndsAt]);
    }
  },
};
