import { GENERIC_PLAN, type Queryable } from '../db/db.js';
import { newId } from '../ids.js';
import type { AuditEvent, RequestContext, StoredAuditEvent } from './events.js';

const MAX_USER_AGENT = 256;

export interface AuditRow {
  id: string;
  orgId: string | null;
  occurredAt: Date;
  event: AuditEvent;
  ctx: RequestContext;
}

export const toAuditRow = (event: AuditEvent, ctx: RequestContext, at: Date): AuditRow => ({
  id: newId('evt'),
  orgId: event.orgId,
  occurredAt: at,
  event,
  ctx,
});

interface Row {
  id: string;
  org_id: string | null;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  credential: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown>;
}

/** An export position `txid:id`, or a bare id (cursors issued before 004_exact_export_and_probe.sql). */
function parsePosition(key: string): { txid: string | null; id: string } {
  const m = /^(\d{1,20}):(.+)$/.exec(key);
  return m ? { txid: m[1]!, id: m[2]! } : { txid: null, id: key };
}

export interface AuditFilter {
  orgId: string;
  /** Keyset position: events after (oldest first: `txid:id`) or before (newest first: id) this one. */
  after: string | null;
  order: 'asc' | 'desc';
  limit: number;
  actorId?: string;
  /** A prefix of the action: `token` finds token.grant and token.deny, `token.grant` exactly that. */
  action?: string;
  from?: Date;
  to?: Date;
}

/**
 * The rows travel as ONE jsonb parameter, expanded by jsonb_to_recordset: one round trip whatever
 * the batch size, one JSON.stringify in Node rather than the driver escaping every element of
 * fourteen arrays (measured: the per-element escaping was the group commit's largest Node cost).
 */
const INSERT_ROWS = `INSERT INTO audit_events (id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome,
    target_type, target_id, credential, ip, user_agent, detail)
  SELECT id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome,
         target_type, target_id, credential, ip, user_agent, COALESCE(detail, '{}'::jsonb)
    FROM jsonb_to_recordset($1::jsonb) AS r(id text, org_id text, occurred_at timestamptz, actor_type text,
      actor_id text, actor_name text, action text, outcome text, target_type text, target_id text,
      credential text, ip text, user_agent text, detail jsonb)`;

/**
 * See insertGrants. The per-account and per-day sums arrive computed (grantSums), as two small jsonb
 * parameters: summing the batch in SQL made the statement a quarter slower on PGlite
 * (bench/credential-activity.mjs). SET expressions read the row as it was, so the address moves
 * only with a newer grant; only accounts the UPDATE found are counted. One plan suits every batch
 * (GENERIC_PLAN): planning it touched three tables and their indexes for every commit.
 */
const GRANTS_SQL = `${GENERIC_PLAN}WITH inserted AS (${INSERT_ROWS}),
  updated AS (
    UPDATE service_accounts s SET last_token_issued_at = GREATEST(s.last_token_issued_at, l.at),
           last_token_ip = CASE WHEN s.last_token_issued_at IS NULL OR l.at >= s.last_token_issued_at THEN l.ip ELSE s.last_token_ip END
      FROM jsonb_to_recordset($2::jsonb) AS l(id text, at timestamptz, ip text) WHERE s.id = l.id RETURNING s.id)
  INSERT INTO service_account_grant_days (service_account_id, day, grants)
  SELECT d.id, d.day, d.n FROM jsonb_to_recordset($3::jsonb) AS d(id text, day date, n integer) JOIN updated u ON u.id = d.id
  ON CONFLICT (service_account_id, day) DO UPDATE SET grants = service_account_grant_days.grants + EXCLUDED.grants`;

/**
 * The same, also answering with the transaction's id: the rows' export position (txid, id), which
 * an audit stream needs to take them from memory (webhooks/stream-tap.ts). A data-modifying CTE
 * runs whether or not it is read, so the insert moves into one and the statement ends in a SELECT.
 */
const GRANTS_SQL_WITH_TXID = GRANTS_SQL.replace(
  /\n {2}INSERT INTO service_account_grant_days([\s\S]*)$/,
  ',\n  counted AS (INSERT INTO service_account_grant_days$1)\n  SELECT pg_current_xact_id()::text AS txid',
);

/** A batch's successful grants summed per account (the latest time and address) and per account and UTC day. */
function grantSums(rows: readonly AuditRow[]): [string, string] {
  const latest = new Map<string, { id: string; at: Date; ip: string | null }>();
  const days = new Map<string, { id: string; day: string; n: number }>();
  for (const r of rows) {
    const id = r.event.actor.id;
    if (r.event.action !== 'token.grant' || r.event.outcome !== 'success' || !id) continue;
    const last = latest.get(id);
    if (!last || r.occurredAt >= last.at) latest.set(id, { id, at: r.occurredAt, ip: r.ctx.ip || null });
    const day = r.occurredAt.toISOString().slice(0, 10);
    const key = `${id} ${day}`;
    const d = days.get(key);
    if (d) d.n++;
    else days.set(key, { id, day, n: 1 });
  }
  return [JSON.stringify([...latest.values()]), JSON.stringify([...days.values()])];
}

/** The batch as the single jsonb parameter of INSERT_ROWS (absent keys are NULL). */
function rowsParam(rows: readonly AuditRow[]): [string] {
  return [
    JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        org_id: r.orgId,
        occurred_at: r.occurredAt,
        actor_type: r.event.actor.type,
        actor_id: r.event.actor.id,
        actor_name: r.event.actor.name,
        action: r.event.action,
        outcome: r.event.outcome,
        target_type: r.event.target?.type,
        target_id: r.event.target?.id,
        credential: r.event.credential,
        ip: r.ctx.ip || undefined,
        user_agent: r.ctx.userAgent?.slice(0, MAX_USER_AGENT),
        detail: r.event.detail,
      })),
    ),
  ];
}

/** The append-only audit log. Inserts go in the caller's transaction (property 4). */
export const auditStore = {
  /** One multi-row insert for many events (console actions insert one, group commit many). */
  async insert(q: Queryable, rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(INSERT_ROWS, rowsParam(rows));
  },

  /**
   * The group commit of token grants in ONE statement (so it is atomic without BEGIN/COMMIT round
   * trips): the audit rows; each granting service account's "last token issued" and the address
   * it came from; and its count of grants per UTC day (issue 14 item 5). Only accounts the UPDATE
   * found are counted, so an account deleted meanwhile leaves no row behind.
   */
  async insertGrants(q: Queryable, rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(GRANTS_SQL, [...rowsParam(rows), ...grantSums(rows)]);
  },

  /** insertGrants, resolving with the id of the transaction that wrote the rows (an xid8, as text). */
  async insertGrantsWithTxid(q: Queryable, rows: readonly AuditRow[]): Promise<string> {
    const [row] = await q.query<{ txid: string }>(GRANTS_SQL_WITH_TXID, [...rowsParam(rows), ...grantSums(rows)]);
    return row!.txid;
  },

  /**
   * A page of one organization's events. Newest first (the console) is by id. Oldest first (the
   * SIEM export) is by (txid, id), and holds back rows whose transaction is not older than every
   * transaction still in progress: those may yet be joined by rows that commit later with lower
   * positions, so returning them could move a cursor past an event not yet visible. Rows behind
   * that horizon are final (committed or rolled back), so the cursor never skips a committed event.
   */
  async list(q: Queryable, f: AuditFilter): Promise<Array<StoredAuditEvent & { position: string }>> {
    const params: unknown[] = [f.orgId];
    const where = ['org_id = $1'];
    const add = (sql: string, ...v: unknown[]) => {
      const first = params.length + 1;
      params.push(...v);
      where.push(sql.replace(/\?(\d)/g, (_m, i: string) => `$${first + Number(i)}`));
    };
    const asc = f.order === 'asc';
    if (asc) {
      where.push('txid < pg_snapshot_xmin(pg_current_snapshot())');
      const at = f.after ? parsePosition(f.after) : null;
      // A cursor from before the export paged by transaction names only an id: resume at its row.
      // A position beyond every transaction this database has assigned comes from another one (the
      // source of a restore: backup/restore.ts): it resumes at its event, as a bare id does.
      if (at?.txid)
        add(
          "(txid, id) > (CASE WHEN ?0::xid8 < pg_snapshot_xmax(pg_current_snapshot()) THEN ?0::xid8 ELSE COALESCE((SELECT txid FROM audit_events WHERE id = ?1), '1'::xid8) END, ?1)",
          at.txid,
          at.id,
        );
      else if (at) add("(txid, id) > (COALESCE((SELECT txid FROM audit_events WHERE id = ?0), '1'::xid8), ?0)", at.id);
    } else if (f.after) add('id < ?0', f.after);
    if (f.actorId) add('actor_id = ?0', f.actorId);
    // Issue 14 item 5: the action filter matches prefixes (`token` finds token.grant and token.deny); starts_with needs no LIKE escaping.
    if (f.action) add('starts_with(action, ?0)', f.action);
    if (f.from) add('occurred_at >= ?0', f.from);
    if (f.to) add('occurred_at < ?0', f.to);
    params.push(f.limit);
    const rows = await q.query<Row & { txid_text: string }>(
      `SELECT *, txid::text AS txid_text FROM audit_events WHERE ${where.join(' AND ')}
        ORDER BY ${asc ? 'txid ASC, id ASC' : 'id DESC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      position: asc ? `${r.txid_text}:${r.id}` : r.id,
      id: r.id,
      orgId: r.org_id,
      occurredAt: r.occurred_at.toISOString(),
      action: r.action,
      outcome: r.outcome as 'success' | 'failure',
      actor: {
        type: r.actor_type as StoredAuditEvent['actor']['type'],
        ...(r.actor_id ? { id: r.actor_id } : {}),
        ...(r.actor_name ? { name: r.actor_name } : {}),
      },
      target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
      credential: r.credential,
      ip: r.ip,
      userAgent: r.user_agent,
      detail: r.detail,
    }));
  },
};
