import type { Queryable } from '../db/db.js';
import { newId } from '../ids.js';
import { batchBodySql, EVENT_COLUMNS } from './payload.js';

/** [E4] Events per audit-stream message. */
export const STREAM_BATCH_SIZE = 500;
/** The type of an audit-stream message: `data.events` holds the events, each in the webhook shape. */
export const STREAM_BATCH_TYPE = 'audit.events';
/** Streams batched per round, so that a pass's database work stays bounded however many there are. */
const STREAMS_PER_ROUND = 20;

/**
 * [E4] Puts each live audit stream's next events (up to 500, in the audit log's export order) into
 * one batch delivery. The events are read from audit_events behind the horizon of transactions
 * still in progress (as the SIEM export reads them), so no event can commit behind a stream's
 * position; a streamed audit event therefore costs no outbox row of its own. One statement per
 * stream moves its position and inserts the batch, and only if the position is still the one read
 * (another instance may have moved it). A stream gets a new batch only when it has none pending:
 * one message in flight keeps its events in order, and while a destination fails its events wait
 * for the retried batch instead of filling new batches that would fail too.
 * The same statement returns the batch's body, built by the database (payload.ts), so its first
 * attempt needs no second read: resolves with the bodies of the batches made, by delivery id.
 */
export async function formStreamBatches(q: Queryable, now: Date): Promise<{ bodies: Map<string, string>; full: boolean }> {
  const streams = await q.query<{ id: string; org_id: string; txid: string; event_id: string }>(
    `SELECT e.id, e.org_id, e.stream_txid::text AS txid, e.stream_event_id AS event_id FROM webhook_endpoints e
      WHERE e.kind = 'audit_stream' AND e.active AND e.disabled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b WHERE b.endpoint_id = e.id AND b.status = 'pending')
      LIMIT $1`,
    [STREAMS_PER_ROUND],
  );
  const bodies = new Map<string, string>();
  let full = false;
  // A stream with no new event costs one statement that writes nothing (cheaper than asking first).
  for (const s of streams) {
    const batchId = newId('msg');
    const [made] = await q.query<{ n: number; body: string }>(
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
       SELECT count(*)::int AS n, ${batchBodySql('ev', '$7::text')} AS body FROM ev WHERE EXISTS (SELECT 1 FROM ins) HAVING count(*) > 0`,
      [s.id, s.org_id, s.txid, s.event_id, STREAM_BATCH_SIZE, batchId, STREAM_BATCH_TYPE, now],
    );
    if (made) bodies.set(batchId, made.body);
    if (made?.n === STREAM_BATCH_SIZE) full = true;
  }
  return { bodies, full };
}
