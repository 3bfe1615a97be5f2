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
export async function eventPayload(q: Queryable, d: Delivery): Promise<string | null> {
  const [e] = await q.query<EventRow>('SELECT * FROM audit_events WHERE id = $1', [d.eventId]);
  if (!e) return null;
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
