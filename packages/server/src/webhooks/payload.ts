import type { AuditRow } from '../audit/store.js';
import type { Queryable } from '../db/db.js';
import { isoSql as iso } from '../db/json-sql.js';
import { STREAM_TYPE_PREFIX, streamTypeOf } from './event-types.js';
import type { Delivery } from './store.js';

/**
 * The Standard Webhooks body `{type, timestamp, data}`, built at delivery from the audit row (the
 * audit log never holds a secret, so neither does a delivery). Audit streams also carry the
 * caller's address, as the console's audit log shows it to the owner. An audit-stream batch [E4]
 * is `{type: "audit.events", timestamp: <newest event's>, data: {events: [<that body>, ...]}}`,
 * oldest first; events pruned meanwhile are left out.
 *
 * The bodies are built by the database, as one text per message: on the embedded database a
 * batch's 500 rows parsed into JavaScript objects (dates, jsonb) and copied from PGlite's thread
 * cost about 60 µs per event on the request thread, as much as the grant that wrote the event;
 * built in SQL they cost a share of one string (issue 15: streamed grants within 10 % of plain).
 * Events an audit stream takes from memory (stream-tap.ts) get the same body from their AuditRow
 * (streamBatchBody); a test holds the two builders to the same output.
 */

/** The audit_events columns a body is built from. */
export const EVENT_COLUMNS = 'id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome, target_type, target_id, detail, ip';

/**
 * SQL for one event's body (json) from the audit_events row aliased `a`, typed by the SQL
 * expression `type`. Empty actor fields are left out, and a target needs both its type and id.
 */
function eventBodySql(a: string, type: string, stream: boolean): string {
  return `json_build_object('type', ${type}, 'timestamp', ${iso(`${a}.occurred_at`)}, 'data', json_build_object(
    'eventId', ${a}.id, 'orgId', ${a}.org_id, 'action', ${a}.action, 'outcome', ${a}.outcome,
    'actor', json_strip_nulls(json_build_object('type', ${a}.actor_type, 'id', NULLIF(${a}.actor_id, ''), 'name', NULLIF(${a}.actor_name, ''))),
    'target', CASE WHEN ${a}.target_type <> '' AND ${a}.target_id <> '' THEN json_build_object('type', ${a}.target_type, 'id', ${a}.target_id) END,
    'detail', ${a}.detail${stream ? `, 'ip', ${a}.ip` : ''}))`;
}

/**
 * [E4] SQL aggregating the audit_events rows aliased `ev` (with their txid) into one batch body
 * (text) of the type given by the SQL expression `type`, events in export order (txid, id). Each
 * event is typed `audit.<action>`.
 */
export function batchBodySql(ev: string, type: string): string {
  const item = eventBodySql(ev, `'${STREAM_TYPE_PREFIX}' || ${ev}.action`, true);
  return `json_build_object('type', ${type},
    'timestamp', (array_agg(${iso(`${ev}.occurred_at`)} ORDER BY ${ev}.txid DESC, ${ev}.id DESC))[1],
    'data', json_build_object('events', json_agg(${item} ORDER BY ${ev}.txid, ${ev}.id)))::text`;
}

/**
 * The bodies of a batch of deliveries (by delivery id; absent: none of its events exists any
 * more): those in `known` (built when their batch was made) as they are, the others built from
 * their audit rows: one statement for the single events, one per retried batch.
 */
export async function eventPayloads(q: Queryable, ds: readonly Delivery[], known: ReadonlyMap<string, string> = new Map()): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  const singles: { id: string; event_id: string; type: string }[] = [];
  for (const d of ds) {
    const b = known.get(d.id);
    if (b !== undefined) bodies.set(d.id, b);
    else if (!d.eventIds) singles.push({ id: d.id, event_id: d.eventId, type: d.eventType });
    else {
      // The batch's event ids are read where they are stored (a claimed batch does not carry them).
      const [row] = await q.query<{ body: string | null }>(
        `SELECT CASE WHEN count(*) > 0 THEN ${batchBodySql('a', '$2::text')} END AS body FROM audit_events a
          WHERE a.id = ANY ((SELECT event_ids FROM webhook_deliveries WHERE id = $1)::text[])`,
        [d.id, d.eventType],
      );
      if (row?.body) bodies.set(d.id, row.body);
    }
  }
  if (singles.length === 0) return bodies;
  const rows = await q.query<{ id: string; body: string }>(
    `SELECT d.id, ${eventBodySql('a', 'd.type', false)}::text AS body
       FROM jsonb_to_recordset($1::jsonb) AS d(id text, event_id text, type text) JOIN audit_events a ON a.id = d.event_id`,
    [JSON.stringify(singles)],
  );
  for (const r of rows) bodies.set(r.id, r.body);
  return bodies;
}

/**
 * [E4] The batch body of events held in memory, as batchBodySql builds it from their stored rows
 * (the columns audit/store.ts writes: an empty address or actor field is stored as NULL).
 */
export function streamBatchBody(type: string, rows: readonly AuditRow[]): string {
  const events = rows.map((r) => {
    const { actor, target } = r.event;
    return {
      type: streamTypeOf(r.event.action),
      timestamp: r.occurredAt.toISOString(),
      data: {
        eventId: r.id,
        orgId: r.orgId,
        action: r.event.action,
        outcome: r.event.outcome,
        actor: { type: actor.type, ...(actor.id ? { id: actor.id } : {}), ...(actor.name ? { name: actor.name } : {}) },
        target: target?.type && target.id ? { type: target.type, id: target.id } : null,
        detail: r.event.detail ?? {},
        ip: r.ctx.ip || null,
      },
    };
  });
  return JSON.stringify({ type, timestamp: rows.at(-1)!.occurredAt.toISOString(), data: { events } });
}
