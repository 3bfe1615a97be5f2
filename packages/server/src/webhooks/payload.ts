import type { Queryable } from '../db/db.js';
import { STREAM_TYPE_PREFIX, streamTypeOf } from './event-types.js';
import type { Delivery } from './store.js';

interface EventRow {
  id: string;
  org_id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

/**
 * The Standard Webhooks body `{type, timestamp, data}`, built at delivery from the audit row (the
 * audit log never holds a secret, so neither does a delivery). Audit streams also carry the
 * caller's address, as the console's audit log shows it to the owner. An audit-stream batch [E4]
 * is `{type: "audit.events", timestamp: <newest event's>, data: {events: [<that body>, ...]}}`,
 * oldest first; events pruned meanwhile are left out.
 *
 * The bodies of a batch of deliveries, from one read of their audit rows (by delivery id; absent:
 * none of its events exists any more).
 */
export async function eventPayloads(q: Queryable, ds: readonly Delivery[]): Promise<Map<string, string>> {
  const ids = new Set(ds.flatMap((d) => d.eventIds ?? [d.eventId]));
  const rows = await q.query<EventRow>('SELECT * FROM audit_events WHERE id = ANY ($1)', [[...ids]]);
  const events = new Map(rows.map((e) => [e.id, e]));
  const bodies = new Map<string, string>();
  for (const d of ds) {
    if (d.eventIds) {
      const found = d.eventIds.map((id) => events.get(id)).filter((e): e is EventRow => e !== undefined);
      if (found.length === 0) continue;
      const items = found.map((e) => body(streamTypeOf(e.action), e));
      bodies.set(d.id, JSON.stringify({ type: d.eventType, timestamp: found.at(-1)!.occurred_at.toISOString(), data: { events: items } }));
      continue;
    }
    const e = events.get(d.eventId);
    if (e) bodies.set(d.id, JSON.stringify(body(d.eventType, e)));
  }
  return bodies;
}

function body(type: string, e: EventRow) {
  return {
    type,
    timestamp: e.occurred_at.toISOString(),
    data: {
      eventId: e.id,
      orgId: e.org_id,
      action: e.action,
      outcome: e.outcome,
      actor: { type: e.actor_type, ...(e.actor_id ? { id: e.actor_id } : {}), ...(e.actor_name ? { name: e.actor_name } : {}) },
      target: e.target_type && e.target_id ? { type: e.target_type, id: e.target_id } : null,
      detail: e.detail,
      ...(type.startsWith(STREAM_TYPE_PREFIX) ? { ip: e.ip } : {}),
    },
  };
}
