import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';

/** An arbitrary constant: the advisory lock that lets one instance at a time prune (server mode). */
const RETENTION_LOCK = 7_201_734;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  days: number;
  /** Rows per DELETE statement: short transactions, short locks. */
  batchSize?: number;
  /** Pause between batches (real time), so pruning never crowds out requests. */
  pauseMs?: number;
  /** How often the background pass runs. */
  everyMs?: number;
}

/**
 * [R2] Deletes audit events older than GATEHOUSE_AUDIT_RETENTION_DAYS (cut-off from the injected
 * clock), and the daily grant counts of the days before it, `batchSize` rows per statement with a
 * pause between, in the background. Each batch takes a transaction-scoped advisory lock first, so
 * with several instances on one PostgreSQL only one prunes at a time; the others skip the pass.
 */
export class AuditRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly batchSize: number;
  private readonly pauseMs: number;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: RetentionOptions,
  ) {
    this.batchSize = options.batchSize ?? 1_000;
    this.pauseMs = options.pauseMs ?? 200;
  }

  /** One pass: batches until nothing older than the cut-off is left. Returns each batch's size. */
  async prune(): Promise<number[]> {
    if (this.options.days <= 0) return [];
    const cutoff = new Date(this.clock.now().getTime() - this.options.days * DAY_MS);
    const batches: number[] = [];
    while (!this.stopped) {
      const deleted = await this.db.transaction(async (tx) => {
        const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
        if (!lock?.ok) return -1; // another instance is pruning
        const rows = await tx.query<{ id: string }>(
          `DELETE FROM audit_events WHERE id IN (
             SELECT id FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)
           RETURNING id`,
          [cutoff, this.batchSize],
        );
        return rows.length;
      });
      if (deleted < 0) break;
      batches.push(deleted);
      if (deleted < this.batchSize) {
        // The grant counts per account and UTC day (issue 14 item 5) are derived from the same
        // events, so they follow the same retention: one row per account and day, one statement.
        await this.db.query('DELETE FROM service_account_grant_days WHERE day < $1::date', [cutoff.toISOString().slice(0, 10)]);
        break;
      }
      if (this.pauseMs > 0) await new Promise((r) => setTimeout(r, this.pauseMs));
    }
    return batches;
  }

  /** Background passes: one soon after start, then every `everyMs` (default hourly). */
  start(): void {
    if (this.options.days <= 0) return;
    const run = () => {
      if (this.running || this.stopped) return;
      this.running = this.prune()
        .catch(() => {}) // a database outage skips this pass; the next one catches up
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, this.options.everyMs ?? 3_600_000);
    this.timer.unref();
    setTimeout(run, 5_000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
