import type { Clock } from '../clock.js';
import type { Db, Queryable } from '../db/db.js';
import type { AuditEvent, RequestContext } from './events.js';
import { auditStore, toAuditRow, type AuditRow } from './store.js';

interface Pending {
  row: AuditRow;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes the audit log. Console actions call `inTransaction` with the transaction of the change
 * they record (ARCHITECTURE property 4). Token grants and denials call `groupCommit`: concurrent
 * callers share one atomic multi-row insert, and each answers only after that commit,
 * so an acknowledged grant is never missing from the log. While one batch commits the next one
 * gathers, so batches grow with load and add no latency when idle.
 */
export class AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  static readonly MAX_BATCH = 1000;

  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async inTransaction(tx: Queryable, event: AuditEvent, ctx: RequestContext): Promise<void> {
    await auditStore.insert(tx, [toAuditRow(event, ctx, this.clock.now())]);
  }

  /** Records a token grant or denial; a successful grant also moves the account's "last token issued". */
  groupCommit(event: AuditEvent, ctx: RequestContext): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: toAuditRow(event, ctx, this.clock.now()), resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Resolves when everything queued so far is committed (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Yield once so that requests arriving in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, AuditLog.MAX_BATCH);
      try {
        await auditStore.insertGrants(this.db, batch.map((p) => p.row));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = null;
  }
}
