import { isActive, type PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { MasterKey } from '../crypto/master-key.js';
import { type Db, GENERIC_PLAN, type Queryable } from '../db/db.js';
import { newId } from '../ids.js';
import { DestinationAgents } from './agents.js';
import { formStreamBatches } from './batches.js';
import { DestinationRefused, resolveDestination, send, type SendResult } from './destination.js';
import { scopeForEventType } from './event-types.js';
import type { Outbox } from './outbox.js';
import { eventPayloads } from './payload.js';
import { openSecret, signatureHeader } from './signing.js';
import { webhookStore, type Delivery, type DeliveryRow, type Endpoint } from './store.js';

/** [E3] Waits after the 1st … 7th failed attempt; the 8th failure gives the delivery up. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 86_400_000] as const;
/** [E3] A destination failing without a success for this long is disabled (audited). */
export const DISABLE_AFTER_MS = 3 * 86_400_000;
/** A claim outlives the 10 s send; another instance may retry only after it lapses. */
const LEASE_MS = 60_000;
/**
 * Rows claimed at once, and rounds per pass: a busy outbox drains in one pass, not one batch a
 * second, yet a pass's database work is bounded (20 rounds of at most 20 stream batches of 500 events made and
 * 50 deliveries claimed and recorded), and it yields to the event loop between rounds so that the
 * grants sharing the process and the database are served in between.
 */
const BATCH = 50;
const MAX_ROUNDS = 20;
/** After an audited change, a pass this soon: long enough for a busy stream's batch to fill up. */
const NUDGE_MS = 200;
/**
 * A claimed delivery's columns. A batch's event ids (up to 500) stay in the database: its body was
 * built when it was made, or is rebuilt from them there (payload.ts); `event_ids` only says "batch".
 */
const CLAIMED_COLUMNS = `d.id, d.endpoint_id, d.org_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.created_at,
  CASE WHEN d.event_ids IS NULL THEN NULL ELSE '{}'::text[] END AS event_ids, d.event_types`;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface WorkerOptions {
  allowedHosts: ReadonlySet<string>;
  intervalMs: number;
}

/**
 * Drains the outbox in the background (never on a request's path). Each tick claims due rows with
 * `FOR UPDATE SKIP LOCKED` and a lease on the injected clock, so that instances sharing a
 * PostgreSQL never attempt the same delivery at the same time [E3].
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private nudge: NodeJS.Timeout | null = null;
  private lastRefresh = 0;
  /** Keep-alive connections per destination and checked address [E5]. */
  readonly agents = new DestinationAgents();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly master: MasterKey,
    private readonly states: PrincipalStates,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch(() => {}), this.options.intervalMs);
    this.timer.unref();
    // A new outbox row wakes the worker soon after its transaction commits, not a whole interval later.
    this.outbox.onEnqueue = () => {
      if (this.timer && !this.nudge) {
        this.nudge = setTimeout(() => {
          this.nudge = null;
          void this.tick().catch(() => {});
        }, NUDGE_MS);
        this.nudge.unref();
      }
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.nudge) clearTimeout(this.nudge);
    this.timer = null;
    this.nudge = null;
    this.outbox.onEnqueue = null;
    await this.running?.catch(() => {});
    this.agents.closeAll();
  }

  /**
   * One pass over the deliveries due now, started after any pass already running (so a test that
   * has just moved the clock sees its effect). Resolves with how many were attempted.
   */
  async tick(): Promise<number> {
    while (this.running) await this.running.catch(() => {});
    const pass = this.pass().finally(() => {
      this.running = null;
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<number> {
    // Other instances' new destinations reach this instance's outbox set within a few seconds.
    if (Date.now() - this.lastRefresh > 5_000) {
      this.lastRefresh = Date.now();
      await this.outbox.refresh();
    }
    let attempted = 0;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      // [E4] Audit streams' waiting events become batch deliveries first; sending one lets the
      // stream's next batch be made in the next round.
      const made = await formStreamBatches(this.db, this.clock.now(), this.outbox.tap);
      const n = await this.batch(made.bodies);
      attempted += n;
      // Another round only for a backlog: a full claim, a full stream batch, or a batch sent that
      // was not made just now (a retry), whose stream may have events waiting behind it. Events
      // that arrived meanwhile wait for the next pass, so that batches fill up rather than
      // every round sending a few.
      if (n === 0 || (n < BATCH && !made.full && made.bodies.size === n)) break;
      await yieldToRequests();
    }
    await this.closeGoneDestinations();
    return attempted;
  }

  /** `made`: bodies of the stream batches just made (their first attempt needs no read). */
  private async batch(made: ReadonlyMap<string, string>): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.db.query<DeliveryRow>(
      `${GENERIC_PLAN}UPDATE webhook_deliveries d SET lease_until = $2
         FROM (SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id RETURNING ${CLAIMED_COLUMNS}`,
      [now, new Date(now.getTime() + LEASE_MS), BATCH],
    );
    if (claimed.length === 0) return 0;
    // One read of the batch's destinations and events, the sends in parallel, then one commit for
    // every attempt's record: per delivery, the database costs a share of a few statements rather
    // than a transaction of its own (the grants that fill the outbox share the same database).
    const deliveries = claimed.map((r) => webhookStore.toDelivery(r));
    const endpoints = await webhookStore.byIds(
      this.db,
      deliveries.map((d) => d.endpointId),
    );
    const bodies = await eventPayloads(this.db, deliveries, made);
    const outcomes = await Promise.all(deliveries.map((d) => this.attempt(d, endpoints.get(d.endpointId), bodies.get(d.id))));
    const done = outcomes.filter((o): o is Outcome => o !== null);
    // A pass without failures (the common case) records in one statement, needing no transaction.
    if (done.some((o) => o.outcome === 'failed')) await this.db.transaction((tx) => this.record(tx, done));
    else if (done.length) await this.record(this.db, done);
    return claimed.length;
  }

  /** [E5] Connections to a destination deleted, switched off or idle are closed, not left open. */
  private async closeGoneDestinations(): Promise<void> {
    this.agents.sweep();
    if (this.agents.size === 0) return;
    const live = await webhookStore.byIds(this.db, this.agents.endpointIds());
    for (const id of this.agents.endpointIds()) {
      const e = live.get(id);
      if (!e?.active || e.disabledAt) this.agents.drop(id);
    }
  }

  /** Sends one delivery (or decides to skip it); its record is written with the batch's. */
  private async attempt(d: Delivery, endpoint: Endpoint | undefined, event: string | undefined): Promise<Outcome | null> {
    if (!endpoint) {
      this.agents.drop(d.endpointId); // deleted meanwhile: its deliveries went with it, and so do its connections
      return null;
    }
    const now = this.clock.now();
    const skip = await this.judge(endpoint, d, now);
    if (skip && (!endpoint.active || endpoint.disabledAt)) this.agents.drop(endpoint.id);
    if (skip) return { d, endpoint, now, result: { status: null, excerpt: skip, latencyMs: 0 }, outcome: 'skipped' };
    if (event === undefined) return { d, endpoint, now, result: { status: null, excerpt: 'the event no longer exists', latencyMs: 0 }, outcome: 'skipped' };
    let result: SendResult;
    try {
      const dest = await resolveDestination(endpoint.url, this.options.allowedHosts); // [E5] at every delivery
      const ts = Math.floor(now.getTime() / 1000);
      const secrets = [openSecret(this.master, endpoint.id, endpoint.secretCiphertext)];
      if (endpoint.previousCiphertext && endpoint.previousUntil && endpoint.previousUntil > now) {
        secrets.push(openSecret(this.master, endpoint.id, endpoint.previousCiphertext));
      }
      const headers = { 'webhook-id': d.id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader(secrets, d.id, ts, event) };
      result = await send(dest, headers, event, () => performance.now(), this.agents.agentFor(endpoint.id, dest));
    } catch (err) {
      result = { status: null, excerpt: err instanceof DestinationRefused ? `refused: ${err.message}` : 'delivery error', latencyMs: 0 };
    }
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    return { d, endpoint, now, result, outcome: ok ? 'delivered' : 'failed' };
  }

  /** [E2] [A9] Judged now: the subscriber must still be active, in its organization, with the read scope. */
  private async judge(endpoint: Endpoint, d: Delivery, now: Date): Promise<string | null> {
    if (!endpoint.active || endpoint.disabledAt) return 'the destination is inactive';
    if (endpoint.kind === 'audit_stream') return null;
    if (!endpoint.events.includes(d.eventType)) return 'the subscription no longer names this event type';
    const account = endpoint.ownerId ? await this.states.serviceAccount(endpoint.ownerId) : null;
    if (!account || account.orgId !== endpoint.orgId || account.orgId !== d.orgId) return 'the subscribing account no longer exists';
    if (!isActive(account, now)) return 'the subscribing account is disabled or expired';
    const scope = scopeForEventType(d.eventType);
    if (!scope || !account.scopes.has(scope)) return `the subscribing account lacks ${scope ?? 'the scope'}`;
    return null;
  }

  /**
   * [E3] Every attempt's record and each delivery's next state, in one set-based statement for the
   * whole batch; only failures touch their destination's row (then in the caller's transaction).
   */
  private async record(tx: Queryable, outcomes: readonly Outcome[]): Promise<void> {
    const rows = outcomes.map(({ d, now, result: r, outcome }) => {
      const attempts = d.attempts + (outcome === 'skipped' ? 0 : 1);
      const wait = RETRY_SCHEDULE_MS[attempts - 1];
      return {
        id: newId('wha'),
        delivery_id: d.id,
        attempted_at: now.toISOString(),
        outcome,
        status_code: r.status,
        latency_ms: Math.round(r.latencyMs),
        excerpt: r.excerpt.slice(0, 256),
        status: outcome === 'failed' ? (wait === undefined ? 'failed' : 'pending') : outcome,
        attempts,
        next_attempt_at: new Date(now.getTime() + (outcome === 'failed' && wait !== undefined ? wait : 0)).toISOString(),
      };
    });
    // A success ends a run of failures; a busy stream's successes must not rewrite its row each time.
    const succeeded = [...new Set(outcomes.filter((o) => o.outcome === 'delivered' && o.endpoint.failingSince).map((o) => o.endpoint.id))];
    // One statement: every attempt's record (none for a delivery whose destination was deleted
    // during the send: it went with it), each delivery's next state, and the run of failures ended.
    await tx.query(
      `${GENERIC_PLAN}WITH r AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, delivery_id text, attempted_at timestamptz, outcome text, status_code integer,
           latency_ms integer, excerpt text, status text, attempts integer, next_attempt_at timestamptz)),
       attempts AS (
         INSERT INTO webhook_attempts (id, delivery_id, attempted_at, outcome, status_code, latency_ms, excerpt)
         SELECT r.id, r.delivery_id, r.attempted_at, r.outcome, r.status_code, r.latency_ms, r.excerpt FROM r
          WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = r.delivery_id)),
       deliveries AS (
         UPDATE webhook_deliveries d SET status = r.status, attempts = r.attempts, next_attempt_at = r.next_attempt_at, lease_until = NULL
           FROM r WHERE d.id = r.delivery_id)
       UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ANY ($2) AND failing_since IS NOT NULL`,
      [JSON.stringify(rows), succeeded],
    );
    for (const o of outcomes) if (o.outcome === 'failed') await this.recordFailure(tx, o.endpoint, o.now);
  }

  private async recordFailure(tx: Queryable, endpoint: Endpoint, now: Date): Promise<void> {
    const [row] = await tx.query<{ failing_since: Date }>(
      'UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since',
      [endpoint.id, now],
    );
    // [E3] Failing for 3 days: disabled, and the audit log says so (system actor).
    if (row && now.getTime() - row.failing_since.getTime() >= DISABLE_AFTER_MS && !endpoint.disabledAt) {
      // Audited once, by the attempt that disabled it (a batch may hold several of its failures).
      const disabled = await tx.query('UPDATE webhook_endpoints SET disabled_at = $2, active = false WHERE id = $1 AND disabled_at IS NULL RETURNING id', [
        endpoint.id,
        now,
      ]);
      if (disabled.length === 0) return;
      await this.audit.inTransaction(
        tx,
        {
          orgId: endpoint.orgId,
          action: endpoint.kind === 'webhook' ? 'webhook.disabled' : 'audit_stream.disabled',
          outcome: 'success',
          actor: { type: 'system' },
          target: { type: endpoint.kind, id: endpoint.id },
          detail: { failingSince: row.failing_since.toISOString() },
        },
        { ip: '' },
      );
    }
  }
}

interface Outcome {
  d: Delivery;
  endpoint: Endpoint;
  now: Date;
  result: SendResult;
  outcome: 'delivered' | 'failed' | 'skipped';
}
