import { isActive, type PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { MasterKey } from '../crypto/master-key.js';
import type { Db } from '../db/db.js';
import { newId } from '../ids.js';
import { DestinationRefused, resolveDestination, send, type SendResult } from './destination.js';
import { scopeForEventType } from './event-types.js';
import type { Outbox } from './outbox.js';
import { eventPayload } from './payload.js';
import { openSecret, signatureHeader } from './signing.js';
import { webhookStore, type Delivery, type DeliveryRow, type Endpoint } from './store.js';

/** [E3] Waits after the 1st … 7th failed attempt; the 8th failure gives the delivery up. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 86_400_000] as const;
/** [E3] A destination failing without a success for this long is disabled (audited). */
export const DISABLE_AFTER_MS = 3 * 86_400_000;
/** A claim outlives the 10 s send; another instance may retry only after it lapses. */
const LEASE_MS = 60_000;
/** Rows claimed at once, and batches per pass: a busy outbox drains in one pass, not one batch a second. */
const BATCH = 50;
const MAX_BATCHES = 20;

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
        }, 50);
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
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await this.batch();
      attempted += n;
      if (n < BATCH) break;
    }
    return attempted;
  }

  private async batch(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.db.query<DeliveryRow>(
      `UPDATE webhook_deliveries d SET lease_until = $2
         FROM (SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id RETURNING d.*`,
      [now, new Date(now.getTime() + LEASE_MS), BATCH],
    );
    await Promise.all(claimed.map((r) => this.attempt(webhookStore.toDelivery(r))));
    return claimed.length;
  }

  private async attempt(d: Delivery): Promise<void> {
    const endpoint = await webhookStore.byId(this.db, d.endpointId);
    if (!endpoint) return; // deleted meanwhile: its deliveries went with it
    const now = this.clock.now();
    const skip = await this.judge(endpoint, d, now);
    if (skip) return this.finish(d, endpoint, now, { status: null, excerpt: skip, latencyMs: 0 }, 'skipped');
    const event = await eventPayload(this.db, d);
    if (!event) return this.finish(d, endpoint, now, { status: null, excerpt: 'the event no longer exists', latencyMs: 0 }, 'skipped');
    let result: SendResult;
    try {
      const dest = await resolveDestination(endpoint.url, this.options.allowedHosts); // [E5] at every delivery
      const ts = Math.floor(now.getTime() / 1000);
      const secrets = [openSecret(this.master, endpoint.id, endpoint.secretCiphertext)];
      if (endpoint.previousCiphertext && endpoint.previousUntil && endpoint.previousUntil > now) {
        secrets.push(openSecret(this.master, endpoint.id, endpoint.previousCiphertext));
      }
      const headers = { 'webhook-id': d.id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader(secrets, d.id, ts, event) };
      result = await send(dest, headers, event, () => performance.now());
    } catch (err) {
      result = { status: null, excerpt: err instanceof DestinationRefused ? `refused: ${err.message}` : 'delivery error', latencyMs: 0 };
    }
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    return this.finish(d, endpoint, now, result, ok ? 'delivered' : 'failed');
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

  private async finish(d: Delivery, endpoint: Endpoint, now: Date, r: SendResult, outcome: 'delivered' | 'failed' | 'skipped'): Promise<void> {
    const attempts = d.attempts + (outcome === 'skipped' ? 0 : 1);
    const wait = RETRY_SCHEDULE_MS[attempts - 1];
    const status = outcome === 'failed' ? (wait === undefined ? 'failed' : 'pending') : outcome;
    const next = new Date(now.getTime() + (outcome === 'failed' && wait !== undefined ? wait : 0));
    await this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO webhook_attempts (id, delivery_id, attempted_at, outcome, status_code, latency_ms, excerpt) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
        newId('wha'),
        d.id,
        now,
        outcome,
        r.status,
        Math.round(r.latencyMs),
        r.excerpt.slice(0, 256),
      ]);
      await tx.query(`UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, lease_until = NULL WHERE id = $1`, [
        d.id,
        status,
        attempts,
        next,
      ]);
      if (outcome === 'delivered') await tx.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1', [endpoint.id]);
      if (outcome !== 'failed') return;
      const [row] = await tx.query<{ failing_since: Date }>(
        'UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since',
        [endpoint.id, now],
      );
      // [E3] Failing for 3 days: disabled, and the audit log says so (system actor).
      if (row && now.getTime() - row.failing_since.getTime() >= DISABLE_AFTER_MS && !endpoint.disabledAt) {
        await tx.query('UPDATE webhook_endpoints SET disabled_at = $2, active = false WHERE id = $1 AND disabled_at IS NULL', [endpoint.id, now]);
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
    });
  }
}
