import type { Queryable } from '../db/db.js';
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
 * caller's address, as the console's audit log shows it to the owner.
 */
/** The bodies of a batch of deliveries, from one read of their audit rows (by delivery id; absent: the event is gone). */
export async function eventPayloads(q: Queryable, ds: readonly Delivery[]): Promise<Map<string, string>> {
  const rows = await q.query<EventRow>('SELECT * FROM audit_events WHERE id = ANY ($1)', [[...new Set(ds.map((d) => d.eventId))]]);
  const events = new Map(rows.map((e) => [e.id, e]));
  const bodies = new Map<string, string>();
  for (const d of ds) {
    const e = events.get(d.eventId);
    if (e) bodies.set(d.id, body(d, e));
  }
  return bodies;
}

function body(d: Delivery, e: EventRow): string {
  return JSON.stringify({
    type: d.eventType,
    timestamp: e.occurred_at.toISOString(),
    data: {
      eventId: e.id,
      orgId: e.org_id,
      action: e.action,
      outcome: e.outcome,
      actor: { type: e.actor_type, ...(e.actor_id ? { id: e.actor_id } : {}), ...(e.actor_name ? { name: e.actor_name } : {}) },
      target: e.target_type && e.target_id ? { type: e.target_type, id: e.target_id } : null,
      detail: e.detail,
      ...(d.eventType.startsWith('audit.') ? { ip: e.ip } : {}),
    },
  });
}
