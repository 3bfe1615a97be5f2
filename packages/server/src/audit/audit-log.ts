import type { Clock } from '../clock.js';
import type { Db, Queryable } from '../db/db.js';
import { GroupCommit } from '../db/group-commit.js';
import type { Outbox } from '../webhooks/outbox.js';
import type { AuditEvent, RequestContext } from './events.js';
import { auditStore, toAuditRow, type AuditRow } from './store.js';

/**
 * Writes the audit log. Console actions call `inTransaction` with the transaction of the change
 * they record (ARCHITECTURE property 4). Service-account token grants and denials call
 * `groupCommit`: concurrent callers share one atomic multi-row insert, and each answers only after
 * that commit, so an acknowledged grant is never missing from the log.
 */
export class AuditLog {
  static readonly MAX_BATCH = 1000;
  private readonly grants: GroupCommit<AuditRow>;
  /** [E3] The webhook/audit-stream outbox, written with the events (set once by the composition root). */
  outbox: Outbox | null = null;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.grants = new GroupCommit<AuditRow>(async (rows) => {
      // An organization without a destination keeps the one-statement commit (no transaction).
      const outbox = this.outbox;
      // [E4] A batch with events for an audit stream learns its transaction id, so that the stream
      // can take the events from memory once committed (webhooks/stream-tap.ts).
      const tapped = outbox?.tap.wants(rows) ?? false;
      const insert = async (q: Queryable): Promise<string | null> => {
        if (tapped) return auditStore.insertGrantsWithTxid(q, rows);
        await auditStore.insertGrants(q, rows);
        return null;
      };
      const txid = !outbox?.wants(rows)
        ? await insert(db)
        : await db.transaction(async (tx) => {
            const id = await insert(tx);
            await outbox.enqueue(tx, rows, this.clock.now(), { gated: true });
            return id;
          });
      if (txid !== null) outbox?.tap.committed(txid, rows);
      // [E4] An audit stream reads committed events itself: wake its worker.
      outbox?.touched(rows);
      return [];
    }, AuditLog.MAX_BATCH);
  }

  async inTransaction(tx: Queryable, event: AuditEvent, ctx: RequestContext): Promise<void> {
    await this.rowsInTransaction(tx, [toAuditRow(event, ctx, this.clock.now())]);
  }

  /** Many events in the caller's transaction, in one statement. */
  async manyInTransaction(tx: Queryable, events: readonly AuditEvent[], ctx: RequestContext): Promise<void> {
    const now = this.clock.now();
    await this.rowsInTransaction(
      tx,
      events.map((e) => toAuditRow(e, ctx, now)),
    );
  }

  /**
   * Rows already built, with their outbox rows [E3]. `gated` (token grants): only for organizations
   * known to have a destination, so a grant elsewhere costs no extra query.
   */
  async rowsInTransaction(tx: Queryable, rows: readonly AuditRow[], opts: { gated: boolean } = { gated: false }): Promise<void> {
    await auditStore.insert(tx, rows);
    if (this.outbox && (!opts.gated || this.outbox.wants(rows))) await this.outbox.enqueue(tx, rows, this.clock.now(), opts);
    else this.outbox?.touched(rows);
  }

  /** Records a token grant or denial; a successful grant also moves the account's "last token issued". */
  groupCommit(event: AuditEvent, ctx: RequestContext): Promise<void> {
    return this.grants.submit(toAuditRow(event, ctx, this.clock.now()));
  }

  /** Resolves when everything queued so far is committed (shutdown, tests). */
  drain(): Promise<void> {
    return this.grants.drain();
  }
}
