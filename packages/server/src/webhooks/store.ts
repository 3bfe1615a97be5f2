import { GENERIC_PLAN, type Queryable } from '../db/db.js';

export type EndpointKind = 'webhook' | 'audit_stream';

export interface Endpoint {
  id: string;
  orgId: string;
  kind: EndpointKind;
  ownerId: string | null;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  secretCiphertext: string;
  previousCiphertext: string | null;
  previousUntil: Date | null;
  failingSince: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

interface EndpointRow {
  id: string;
  org_id: string;
  kind: EndpointKind;
  owner_id: string | null;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  secret_ciphertext: string;
  previous_ciphertext: string | null;
  previous_until: Date | null;
  failing_since: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  orgId: r.org_id,
  kind: r.kind,
  ownerId: r.owner_id,
  url: r.url,
  events: r.events,
  description: r.description,
  active: r.active,
  secretCiphertext: r.secret_ciphertext,
  previousCiphertext: r.previous_ciphertext,
  previousUntil: r.previous_until,
  failingSince: r.failing_since,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/** Who may see an endpoint: its organization, its kind, and for webhooks only their owner. */
export interface EndpointScope {
  orgId: string;
  kind: EndpointKind;
  ownerId: string | null;
}

export interface Delivery {
  id: string;
  endpointId: string;
  orgId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  /** [E4] An audit-stream batch: its events, oldest first, and their distinct types (null otherwise). */
  eventIds: string[] | null;
  eventTypes: string[] | null;
}
interface DeliveryRow {
  id: string;
  endpoint_id: string;
  org_id: string;
  event_id: string;
  event_type: string;
  status: Delivery['status'];
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  event_ids: string[] | null;
  event_types: string[] | null;
}
const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  orgId: r.org_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  eventIds: r.event_ids,
  eventTypes: r.event_types,
});

export interface Attempt {
  id: string;
  attemptedAt: Date;
  outcome: string;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string;
}

export const webhookStore = {
  async insert(
    q: Queryable,
    e: Omit<Endpoint, 'previousCiphertext' | 'previousUntil' | 'failingSince' | 'disabledAt' | 'updatedAt' | 'updatedBy'>,
  ): Promise<Endpoint> {
    const [row] = await q.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (id, org_id, kind, owner_id, url, events, description, active, secret_ciphertext,
         created_at, created_by, updated_at, updated_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$10,$11) RETURNING *`,
      [e.id, e.orgId, e.kind, e.ownerId, e.url, e.events, e.description, e.active, e.secretCiphertext, e.createdAt, e.createdBy],
    );
    return toEndpoint(row!);
  },

  async get(q: Queryable, scope: EndpointScope, id: string, opts: { forUpdate?: boolean } = {}): Promise<Endpoint | null> {
    const [row] = await q.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE id = $1 AND org_id = $2 AND kind = $3 AND owner_id IS NOT DISTINCT FROM $4
       ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
      [id, scope.orgId, scope.kind, scope.ownerId],
    );
    return row ? toEndpoint(row) : null;
  },

  async byId(q: Queryable, id: string): Promise<Endpoint | null> {
    const [row] = await q.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
    return row ? toEndpoint(row) : null;
  },

  /** The destinations of a batch of deliveries, in one query (most batches name one or two). */
  async byIds(q: Queryable, ids: readonly string[]): Promise<Map<string, Endpoint>> {
    const rows = await q.query<EndpointRow>(`${GENERIC_PLAN}SELECT * FROM webhook_endpoints WHERE id = ANY ($1)`, [[...new Set(ids)]]);
    return new Map(rows.map((r) => [r.id, toEndpoint(r)]));
  },

  async list(q: Queryable, scope: EndpointScope, after: string | null, limit: number): Promise<Endpoint[]> {
    const rows = await q.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE org_id = $1 AND kind = $2 AND owner_id IS NOT DISTINCT FROM $3
         AND ($4::text IS NULL OR id > $4) ORDER BY id LIMIT $5`,
      [scope.orgId, scope.kind, scope.ownerId, after, limit],
    );
    return rows.map(toEndpoint);
  },

  async update(
    q: Queryable,
    id: string,
    f: { url: string; events: string[]; description: string | null; active: boolean },
    at: Date,
    by: string,
  ): Promise<Endpoint> {
    const [row] = await q.query<EndpointRow>(
      `UPDATE webhook_endpoints SET url = $2, events = $3, description = $4, active = $5, updated_at = $6, updated_by = $7,
         -- re-activating a disabled subscription starts its failure clock afresh
         disabled_at = CASE WHEN $5 THEN NULL ELSE disabled_at END, failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
         -- [E4] a stream switched back on streams from this change on, not what happened while it was off
         stream_txid = CASE WHEN $5 AND (NOT active OR disabled_at IS NOT NULL) THEN pg_current_xact_id() ELSE stream_txid END,
         stream_event_id = CASE WHEN $5 AND (NOT active OR disabled_at IS NOT NULL) THEN '' ELSE stream_event_id END
       WHERE id = $1 RETURNING *`,
      [id, f.url, f.events, f.description, f.active, at, by],
    );
    return toEndpoint(row!);
  },

  async rotate(q: Queryable, id: string, sealed: string, previous: string, until: Date, at: Date, by: string): Promise<void> {
    await q.query(
      `UPDATE webhook_endpoints SET secret_ciphertext = $2, previous_ciphertext = $3, previous_until = $4, updated_at = $5, updated_by = $6 WHERE id = $1`,
      [id, sealed, previous, until, at, by],
    );
  },

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  },

  /** The organizations with a live destination: the outbox is written only for them. */
  /**
   * The live destinations, read once for both of the outbox's in-memory views: the organizations
   * that have one, and [E4] each audit stream's position (stream-tap.ts).
   */
  async live(q: Queryable): Promise<{ orgIds: string[]; streams: Array<{ id: string; orgId: string; txid: string; eventId: string }> }> {
    const rows = await q.query<{ id: string; org_id: string; kind: EndpointKind; txid: string; event_id: string }>(
      `SELECT id, org_id, kind, stream_txid::text AS txid, stream_event_id AS event_id FROM webhook_endpoints
        WHERE active AND disabled_at IS NULL`,
    );
    return {
      orgIds: [...new Set(rows.map((r) => r.org_id))],
      streams: rows.filter((r) => r.kind === 'audit_stream').map((r) => ({ id: r.id, orgId: r.org_id, txid: r.txid, eventId: r.event_id })),
    };
  },

  async deliveries(q: Queryable, endpointId: string, after: string | null, limit: number): Promise<Array<Delivery & { lastAttempt: Attempt | null }>> {
    const rows = await q.query<
      DeliveryRow & {
        a_id: string | null;
        a_at: Date | null;
        a_outcome: string | null;
        a_status: number | null;
        a_latency: number | null;
        a_excerpt: string | null;
      }
    >(
      `SELECT d.*, a.id AS a_id, a.attempted_at AS a_at, a.outcome AS a_outcome, a.status_code AS a_status, a.latency_ms AS a_latency, a.excerpt AS a_excerpt
         FROM webhook_deliveries d
         LEFT JOIN LATERAL (SELECT * FROM webhook_attempts WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1) a ON true
        WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3`,
      [endpointId, after, limit],
    );
    return rows.map((r) => ({
      ...toDelivery(r),
      lastAttempt: r.a_id
        ? { id: r.a_id, attemptedAt: r.a_at!, outcome: r.a_outcome!, statusCode: r.a_status, latencyMs: r.a_latency!, excerpt: r.a_excerpt ?? '' }
        : null,
    }));
  },

  async attempts(q: Queryable, deliveryId: string): Promise<Attempt[]> {
    const rows = await q.query<{ id: string; attempted_at: Date; outcome: string; status_code: number | null; latency_ms: number; excerpt: string }>(
      'SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id',
      [deliveryId],
    );
    return rows.map((r) => ({
      id: r.id,
      attemptedAt: r.attempted_at,
      outcome: r.outcome,
      statusCode: r.status_code,
      latencyMs: r.latency_ms,
      excerpt: r.excerpt,
    }));
  },

  /** Queues a delivery again now (redeliver), whatever its state. */
  async requeue(q: Queryable, endpointId: string, deliveryId: string, at: Date): Promise<boolean> {
    const rows = await q.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, lease_until = NULL WHERE id = $2 AND endpoint_id = $1 RETURNING id`,
      [endpointId, deliveryId, at],
    );
    return rows.length > 0;
  },

  toDelivery,
};

export type { DeliveryRow };
