import { GENERIC_PLAN, type Queryable } from '../db/db.js';
import { objectSql, pageSql, type JsonMember, type JsonPage } from '../db/json-sql.js';

/** One reference-API record as stored: the validated body in `data`, the bookkeeping beside it. */
export interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

/** Which records a call may see: one organization, one resource, maybe one parent or one owner. */
export interface RecordScope {
  orgId: string;
  resource: string;
  parentId: string | null;
  /** Only records this principal created (webhooks: a service account's own). */
  ownerId: string | null;
}

interface Row {
  id: string;
  data: Record<string, unknown>;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

const toRecord = (r: Row): RecordRow => ({
  id: r.id,
  data: r.data,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

const COLUMNS = 'id, data, created_at, created_by, updated_at, updated_by';
const WHERE = `org_id = $1 AND resource = $2 AND parent_id IS NOT DISTINCT FROM $3 AND ($4::text IS NULL OR created_by = $4)`;
const scopeParams = (s: RecordScope) => [s.orgId, s.resource, s.parentId, s.ownerId];

/** The bookkeeping members of a record's JSON, by their columns; every other member is read from `data`. */
const BOOKKEEPING: Record<string, Omit<JsonMember, 'key'>> = {
  id: { sql: 'id', kind: 'text' },
  createdAt: { sql: 'created_at', kind: 'instant' },
  createdBy: { sql: 'created_by', kind: 'text' },
  updatedAt: { sql: 'updated_at', kind: 'instant' },
  updatedBy: { sql: 'updated_by', kind: 'text' },
};

/** SQL for one record (alias `a`) as a JSON object with these members, in this order. */
function recordJsonSql(a: string, keys: readonly string[]): string {
  return objectSql(
    keys.map((key): JsonMember => {
      const column = BOOKKEEPING[key];
      return column ? { key, sql: `${a}.${column.sql}`, kind: column.kind } : { key, sql: `${a}.data -> '${key}'`, kind: 'json' };
    }),
  );
}

/** SQL for the reference API's `records` table (§7): every query is bound to one organization. */
export const recordStore = {
  /** Timestamps come from the injected clock (`at`), never SQL now(). */
  async insert(q: Queryable, s: RecordScope, rec: { id: string; data: Record<string, unknown>; at: Date; by: string }): Promise<RecordRow> {
    const rows = await q.query<Row>(
      `INSERT INTO records (id, org_id, resource, parent_id, data, created_at, created_by, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) RETURNING ${COLUMNS}`,
      [rec.id, s.orgId, s.resource, s.parentId, JSON.stringify(rec.data), rec.at, rec.by],
    );
    return toRecord(rows[0]!);
  },

  /** Keyset page in id (creation) order. */
  async list(q: Queryable, s: RecordScope, after: string | null, limit: number): Promise<RecordRow[]> {
    const rows = await q.query<Row>(
      `SELECT ${COLUMNS} FROM records
        WHERE ${WHERE} AND ($5::text IS NULL OR id > $5) ORDER BY id LIMIT $6`,
      [...scopeParams(s), after, limit],
    );
    return rows.map(toRecord);
  },

  /**
   * The same page as `list`, built by the database as JSON text (db/json-sql.ts): each record as
   * the object of the members `keys`, in that order (bookkeeping from its columns, the rest from
   * `data`, which must hold only strings there). Members of `data` not named are left out, as the
   * response schema drops them; named ones it lacks are absent.
   */
  async listJson(q: Queryable, s: RecordScope, after: string | null, limit: number, keys: readonly string[]): Promise<JsonPage> {
    // One plan for every call (GENERIC_PLAN): each condition is one the index can use, so the
    // page is read in id order from the cursor on, without a sort. Ids are never empty, so ''
    // is before every one of them.
    const params: unknown[] = [s.orgId, s.resource, limit, after ?? ''];
    const parent = s.parentId === null ? 'parent_id IS NULL' : `parent_id = $${params.push(s.parentId)}`;
    const owner = s.ownerId === null ? '' : ` AND created_by = $${params.push(s.ownerId)}`;
    const [row] = await q.query<{ items: string; last_key: string | null; more: boolean }>(
      `${GENERIC_PLAN}SELECT ${pageSql(recordJsonSql('r', keys), 'r.id', '$3')}
         FROM (SELECT ${COLUMNS} FROM records
                WHERE org_id = $1 AND resource = $2 AND ${parent}${owner} AND id > $4 ORDER BY id LIMIT $3 + 1) r`,
      params,
    );
    return { items: row!.items, lastKey: row!.last_key, more: row!.more };
  },

  async get(q: Queryable, s: RecordScope, id: string, opts: { forUpdate?: boolean } = {}): Promise<RecordRow | null> {
    const rows = await q.query<Row>(
      `SELECT ${COLUMNS} FROM records
        WHERE ${WHERE} AND id = $5${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [...scopeParams(s), id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  },

  /** Replaces `data` of a record already read (FOR UPDATE) within the caller's scope. */
  async update(q: Queryable, id: string, data: Record<string, unknown>, at: Date, by: string): Promise<RecordRow> {
    const rows = await q.query<Row>(`UPDATE records SET data = $2, updated_at = $3, updated_by = $4 WHERE id = $1 RETURNING ${COLUMNS}`, [
      id,
      JSON.stringify(data),
      at,
      by,
    ]);
    return toRecord(rows[0]!);
  },

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query('DELETE FROM records WHERE id = $1', [id]);
  },
};
