import crypto from 'node:crypto';
import { GENERIC_PLAN, type Queryable } from '../db/db.js';
import { newId } from '../ids.js';
import { batchBodySql, EVENT_COLUMNS, streamBatchBody } from './payload.js';
import type { StreamPosition, StreamTap, TappedEvent } from './stream-tap.js';

/** [E4] Events per audit-stream message. */
export const STREAM_BATCH_SIZE = 500;
/** The type of an audit-stream message: `data.events` holds the events, each in the webhook shape. */
export const STREAM_BATCH_TYPE = 'audit.events';
/** Streams batched per round, so that a pass's database work stays bounded however many there are. */
const STREAMS_PER_ROUND = 20;

type Made = { body: string; n: number; txid: string; eventId: string } | null;

/**
 * [E4] Puts each live audit stream's next events (up to 500, in the audit log's export order) into
 * one batch delivery. The events are read from audit_events behind the horizon of transactions
 * still in progress (as the SIEM export reads them), so no event can commit behind a stream's
 * position; a streamed audit event therefore costs no outbox row of its own. One statement per
 * stream moves its position and inserts the batch, and only if the position is still the one read
 * (another instance may have moved it). A stream gets a new batch only when it has none pending:
 * one message in flight keeps its events in order, and while a destination fails its events wait
 * for the retried batch instead of filling new batches that would fail too.
 * The batch's body comes from the events this instance holds in memory when the database confirms
 * they are exactly the next ones (stream-tap.ts), else from the database in the same statement
 * (payload.ts), so its first attempt needs no second read: resolves with the bodies of the batches
 * made, by delivery id.
 */
export async function formStreamBatches(q: Queryable, now: Date, tap?: StreamTap): Promise<{ bodies: Map<string, string>; full: boolean }> {
  const streams = await q.query<{ id: string; org_id: string; txid: string; event_id: string }>(
    `${GENERIC_PLAN}SELECT e.id, e.org_id, e.stream_txid::text AS txid, e.stream_event_id AS event_id FROM webhook_endpoints e
      WHERE e.kind = 'audit_stream' AND e.active AND e.disabled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b WHERE b.endpoint_id = e.id AND b.status = 'pending')
      LIMIT $1`,
    [STREAMS_PER_ROUND],
  );
  const bodies = new Map<string, string>();
  let full = false;
  for (const row of streams) {
    const s: StreamPosition = { id: row.id, orgId: row.org_id, txid: row.txid, eventId: row.event_id };
    const batchId = newId('msg');
    const held = tap?.after(s.orgId, s.txid, s.eventId, STREAM_BATCH_SIZE) ?? [];
    const made = (held.length ? await fromMemory(q, s, held, batchId, now) : null) ?? (await fromDatabase(q, s, batchId, now));
    if (!made) continue;
    bodies.set(batchId, made.body);
    if (made.n === STREAM_BATCH_SIZE) full = true;
    tap?.moved({ ...s, txid: made.txid, eventId: made.eventId });
  }
  return { bodies, full };
}

/**
 * The batch of the events held in memory, if the database holds exactly these between the
 * stream's position and the last of them, in the same order (the SHA-256 of their ids, joined,
 * matches), and all of them are behind the horizon; else null, and nothing is written. The ids
 * travel as one digest rather than as a 500-element array, and the batch's id list is the
 * database's own. Like the other statements a busy stream runs every batch, it runs with one cached
 * plan (GENERIC_PLAN: planning it read the size of three tables and their indexes each time).
 */
async function fromMemory(q: Queryable, s: StreamPosition, held: readonly TappedEvent[], batchId: string, now: Date): Promise<Made> {
  const last = held.at(-1)!;
  const digest = crypto
    .createHash('sha256')
    .update(held.map((e) => e.id).join(','))
    .digest('hex');
  const [r] = await q.query<{ made: number }>(
    `${GENERIC_PLAN}WITH ev AS (
       SELECT id, action, txid FROM audit_events
        WHERE org_id = $2 AND (txid, id) > ($3::xid8, $4) AND (txid, id) <= ($5::xid8, $6)),
     exact AS (
       SELECT array_agg(id ORDER BY txid, id) AS ids, array_agg(DISTINCT 'audit.' || action) AS types FROM ev
       HAVING count(*) = $9 AND encode(sha256(convert_to(string_agg(id, ',' ORDER BY txid, id), 'UTF8')), 'hex') = $10
          AND $5::xid8 < pg_snapshot_xmin(pg_current_snapshot())),
     moved AS (
       UPDATE webhook_endpoints e SET stream_txid = $5::xid8, stream_event_id = $6 FROM exact
        WHERE e.id = $1 AND e.stream_txid = $3::xid8 AND e.stream_event_id = $4 RETURNING e.id),
     ins AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, event_ids, event_types, next_attempt_at, created_at)
       SELECT $7, $1, $2, exact.ids[1], $8, exact.ids, exact.types, $11, $11 FROM exact CROSS JOIN moved RETURNING id)
     SELECT count(*)::int AS made FROM ins`,
    [s.id, s.orgId, s.txid, s.eventId, last.txid.toString(), last.id, batchId, STREAM_BATCH_TYPE, held.length, digest, now],
  );
  if (!r?.made) return null;
  const body = streamBatchBody(
    STREAM_BATCH_TYPE,
    held.map((e) => e.row),
  );
  return { body, n: held.length, txid: last.txid.toString(), eventId: last.id };
}

/** The batch read from audit_events, its body built by the database; null when there is none. */
async function fromDatabase(q: Queryable, s: StreamPosition, batchId: string, now: Date): Promise<Made> {
  // A stream with no new event costs one statement that writes nothing (cheaper than asking first).
  const [made] = await q.query<{ n: number; body: string; txid: string; event_id: string }>(
    `WITH ev AS (
       SELECT ${EVENT_COLUMNS}, txid FROM audit_events
        WHERE org_id = $2 AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND (txid, id) > ($3::xid8, $4)
        ORDER BY txid, id LIMIT $5),
     last AS (SELECT txid, id FROM ev ORDER BY txid DESC, id DESC LIMIT 1),
     moved AS (
       UPDATE webhook_endpoints e SET stream_txid = last.txid, stream_event_id = last.id FROM last
        WHERE e.id = $1 AND e.stream_txid = $3::xid8 AND e.stream_event_id = $4 RETURNING e.id),
     ins AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, event_ids, event_types, next_attempt_at, created_at)
       SELECT $6, $1, $2, (array_agg(ev.id ORDER BY ev.txid, ev.id))[1], $7, array_agg(ev.id ORDER BY ev.txid, ev.id),
              array_agg(DISTINCT 'audit.' || ev.action), $8, $8
         FROM ev CROSS JOIN moved HAVING count(*) > 0
       RETURNING id)
     SELECT count(*)::int AS n, ${batchBodySql('ev', '$7::text')} AS body,
            (SELECT txid::text FROM last) AS txid, (SELECT id FROM last) AS event_id
       FROM ev WHERE EXISTS (SELECT 1 FROM ins) HAVING count(*) > 0`,
    [s.id, s.orgId, s.txid, s.eventId, STREAM_BATCH_SIZE, batchId, STREAM_BATCH_TYPE, now],
  );
  return made ? { body: made.body, n: made.n, txid: made.txid, eventId: made.event_id } : null;
}
