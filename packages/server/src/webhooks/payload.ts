import type { Queryable } from '../db/db.js';
import { STREAM_TYPE_PREFIX, streamTypeOf } from './event-types.js';
import type { Delivery } from './store.js';

export interface EventRow {
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

/** The audit_events columns a body is built from. */
export const EVENT_COLUMNS = 'id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome, target_type, target_id, detail, ip';

/**
 * The Standard Webhooks body `{type, timestamp, data}`, built at delivery from the audit row (the
 * audit log never holds a secret, so neither does a delivery). Audit streams also carry the
 * caller's address, as the console's audit log shows it to the owner. An audit-stream batch [E4]
 * is `{type: "audit.events", timestamp: <newest event's>, data: {events: [<that body>, ...]}}`,
 * oldest first; events pruned meanwhile are left out.
 *
 * The bodies of a batch of deliveries (by delivery id; absent: none of its events exists any more):
 * those in `known` (built when their batch was made, from the same read) as they are, the others
 * from one read of their audit rows.
 */
export async function eventPayloads(q: Queryable, ds: readonly Delivery[], known: ReadonlyMap<string, string> = new Map()): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  const rest = ds.filter((d) => {
    const b = known.get(d.id);
    if (b !== undefined) bodies.set(d.id, b);
    return b === undefined;
  });
  if (rest.length === 0) return bodies;
  const ids = new Set(rest.flatMap((d) => d.eventIds ?? [d.eventId]));
  const rows = await q.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE id = ANY ($1)`, [[...ids]]);
  const events = new Map(rows.map((e) => [e.id, e]));
  for (const d of rest) {
    if (d.eventIds) {
      const found = d.eventIds.map((id) => events.get(id)).filter((e): e is EventRow => e !== undefined);
      if (found.length) bodies.set(d.id, batchBody(d.eventType, found));
      continue;
    }
    const e = events.get(d.eventId);
    if (e) bodies.set(d.id, JSON.stringify(body(d.eventType, e)));
  }
  return bodies;
}

/** [E4] An audit-stream batch's body: its events (oldest first), each in the single-event shape. */
export function batchBody(type: string, events: readonly EventRow[]): string {
  const items = events.map((e) => body(streamTypeOf(e.action), e));
  return JSON.stringify({ type, timestamp: events.at(-1)!.occurred_at.toISOString(), data: { events: items } });
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
