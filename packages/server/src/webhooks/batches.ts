import type { Queryable } from '../db/db.js';
import { STREAM_TYPE_PREFIX } from './event-types.js';

/** [E4] Events per audit-stream message. */
export const STREAM_BATCH_SIZE = 100;
/** The type of an audit-stream message: `data.events` holds the events, each in the webhook shape. */
export const STREAM_BATCH_TYPE = 'audit.events';
/** Streams batched per pass, so that one pass's database work stays bounded however many there are. */
const STREAMS_PER_PASS = 20;

/**
 * SQL condition on `webhook_deliveries`: a row the worker sends as it is. Webhook deliveries carry
 * one event each [E1] [E2]; an audit stream's per-event outbox rows wait to be put in a batch.
 */
export const SENDABLE = `(event_ids IS NOT NULL OR event_type NOT LIKE '${STREAM_TYPE_PREFIX}%')`;

/**
 * [E4] Puts each audit stream's waiting events into one batch delivery of up to 100, oldest first:
 * one statement per stream deletes the per-event outbox rows and inserts the batch row listing
 * them, so the rows written per event are the outbox row and its share of one delete. A stream
 * gets a new batch only when it has none pending: one message in flight per stream keeps its
 * events in order, and while a destination fails its events wait for the retried batch instead of
 * filling new batches that would fail too. Resolves with how many batches were made.
 */
export async function formStreamBatches(q: Queryable, now: Date): Promise<number> {
  const streams = await q.query<{ id: string }>(
    `SELECT e.id FROM webhook_endpoints e
      WHERE e.kind = 'audit_stream'
        AND EXISTS (SELECT 1 FROM webhook_deliveries d
                     WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.event_ids IS NULL AND d.next_attempt_at <= $1)
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b WHERE b.endpoint_id = e.id AND b.status = 'pending' AND b.event_ids IS NOT NULL)
      LIMIT $2`,
    [now, STREAMS_PER_PASS],
  );
  let made = 0;
  for (const { id } of streams) {
    // The batch's id (its `webhook-id`) derives from its first event's row, so it sorts with the log.
    const rows = await q.query(
      `WITH taken AS (
         DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries
            WHERE endpoint_id = $1 AND status = 'pending' AND event_ids IS NULL AND next_attempt_at <= $2
            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id, org_id, event_id, event_type)
       INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, event_ids, event_types, next_attempt_at, created_at)
       SELECT min(id) || '_b', $1, min(org_id), min(event_id), $4, array_agg(event_id ORDER BY id), array_agg(DISTINCT event_type), $2, $2
         FROM taken HAVING count(*) > 0
       RETURNING id`,
      [id, now, STREAM_BATCH_SIZE, STREAM_BATCH_TYPE],
    );
    made += rows.length;
  }
  return made;
}
