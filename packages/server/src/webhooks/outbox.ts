import type { AuditRow } from '../audit/store.js';
import type { Queryable } from '../db/db.js';
import { eventTypeOf } from './event-types.js';
import { type EndpointKind, webhookStore } from './store.js';
import { StreamTap } from './stream-tap.js';

/**
 * [E3] The durable outbox, written by the audit log in the transaction of the change it records:
 * one delivery row per (event, live webhook subscription that could want it). Whether the account
 * may receive it is judged later, at delivery ([E2]). Audit streams [E4] need no row: they read
 * the committed audit events themselves, in batches (batches.ts); `touched` only wakes the worker.
 *
 * To keep the token grant's hot path cheap, a grant writes nothing (not even a query) for an
 * organization without a destination: `orgs` is the in-memory set of those that have one, added to
 * at once on this instance and re-read from the database by the worker every 5 s (a destination
 * made on another instance). Other audited writes are rare, so they always run the one INSERT …
 * SELECT, and a subscription made on one instance sees the others' events at once.
 */
export class Outbox {
  private orgs = new Set<string>();
  /** [E4] Committed grant events held for the audit streams (stream-tap.ts). */
  readonly tap = new StreamTap();
  /** Called after rows were written (the worker's wake-up; the rows commit with their transaction). */
  onEnqueue: (() => void) | null = null;

  constructor(private readonly db: Queryable) {}

  async refresh(): Promise<void> {
    const live = await webhookStore.live(this.db);
    this.orgs = new Set(live.orgIds);
    this.tap.setStreams(live.streams);
  }

  /** A destination was created or re-activated in `orgId`. */
  add(orgId: string, kind: EndpointKind): void {
    this.orgs.add(orgId);
    if (kind === 'audit_stream') this.tap.addOrg(orgId);
  }

  /** Whether `rows` need outbox rows: a webhook event type in an organization with a destination. */
  wants(rows: readonly AuditRow[]): boolean {
    if (this.orgs.size === 0) return false;
    return rows.some((r) => r.orgId !== null && this.orgs.has(r.orgId) && webhookTypeOf(r) !== null);
  }

  /** Committed events of an organization with a destination: the worker's next pass comes soon. */
  touched(rows: readonly AuditRow[]): void {
    if (this.orgs.size > 0 && rows.some((r) => r.orgId !== null && this.orgs.has(r.orgId))) this.onEnqueue?.();
  }

  /**
   * One statement for the whole batch. A delivery's id is derived from its event and destination
   * (so it sorts by event and can never be written twice) and is the Standard Webhooks `webhook-id`.
   */
  async enqueue(tx: Queryable, rows: readonly AuditRow[], at: Date, opts: { gated: boolean }): Promise<void> {
    const events = rows
      .filter((r) => r.orgId !== null && (!opts.gated || this.orgs.has(r.orgId)))
      .map((r) => ({ id: r.id, org_id: r.orgId, event_type: webhookTypeOf(r) }))
      .filter((e) => e.event_type !== null);
    if (events.length === 0) {
      this.touched(rows);
      return;
    }
    await tx.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, next_attempt_at, created_at)
       SELECT 'msg_' || substr(r.id, 5) || '_' || substr(e.id, 5), e.id, e.org_id, r.id, r.event_type, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, org_id text, event_type text)
         JOIN webhook_endpoints e ON e.org_id = r.org_id AND e.active AND e.disabled_at IS NULL
          AND e.kind = 'webhook' AND r.event_type = ANY (e.events)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(events), at],
    );
    this.onEnqueue?.();
  }
}

/** [E2] The webhook event type of a successful audited action, or null. */
const webhookTypeOf = (r: AuditRow): string | null => (r.event.outcome === 'success' ? eventTypeOf(r.event.action) : null);
