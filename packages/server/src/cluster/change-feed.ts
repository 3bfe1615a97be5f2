import type { PrincipalStates } from '../access/principal-state.js';
import type { Db } from '../db/db.js';
import { TemporarilyUnavailable } from '../errors.js';

export interface FeedOptions {
  /** How often to read the change log even without a NOTIFY (heals missed wake-ups). */
  pollMs: number;
  /** After this long without a successful read, access decisions fail closed (503). */
  staleAfterMs: number;
  /** Called for signing-key changes: another instance rotated the keys. */
  onKeysChanged: () => Promise<void>;
  /**
   * Monotonic milliseconds. Freshness is about the feed's liveness in real time, not the business
   * clock that tests move by days, so it is not the injected Clock.
   */
  monotonicMs?: () => number;
}

/**
 * How far behind the newest id a read looks again. Ids are taken when a row is written but become
 * visible at commit, so a slow transaction's change can appear below ids already read; re-reading
 * a window (and skipping ids already applied) catches it.
 */
const LOOKBACK = 1000;
const BATCH = 5000;
/** The log keeps this many recent changes; older ones were applied long ago by every live instance. */
const KEEP = 100_000;
/** Pruning runs on one read in this many (every few minutes at the default poll interval). */
const PRUNE_EVERY = 500;

/**
 * Server mode (§9): keeps this instance's principal state current with changes committed by any
 * instance. The triggers of 003_principal_changes.sql append every change to `principal_changes`
 * and NOTIFY; a NOTIFY wakes an immediate read, and a read every `pollMs` heals a lost one. If no
 * read has succeeded for `staleAfterMs`, `assertFresh` throws and every decision answers 503
 * rather than trusting a state that may miss a disable.
 */
export class ChangeFeed {
  private cursor = 0;
  private readonly applied = new Set<number>();
  private lastSync = 0;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | null = null;
  private listening = false;
  private stopped = false;
  private reads = 0;

  constructor(
    private readonly db: Db,
    private readonly states: PrincipalStates,
    private readonly options: FeedOptions,
  ) {
    this.now = options.monotonicMs ?? (() => performance.now());
  }

  private readonly now: () => number;

  /** Starts from the newest change: the caches start empty, so everything older is already seen. */
  async start(): Promise<void> {
    const [row] = await this.db.query<{ max: string | null }>('SELECT max(id)::text AS max FROM principal_changes');
    this.cursor = Number(row?.max ?? 0);
    this.lastSync = this.now();
    await this.listen();
    this.timer = setInterval(() => void this.read(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.unlisten?.();
    await this.reading;
  }

  /** Throws 503 when the state may be stale (ARCHITECTURE property 2: fail closed). */
  assertFresh(): void {
    const silentMs = this.now() - this.lastSync;
    if (silentMs > this.options.staleAfterMs) {
      throw new TemporarilyUnavailable(
        'access decisions are paused: this instance has lost its change feed; retry shortly',
        `no change-log read has succeeded for ${Math.round(silentMs / 1000)} s`,
      );
    }
  }

  /** Milliseconds since the last successful read (for /metrics and /readyz). */
  lagMs(): number {
    return this.now() - this.lastSync;
  }

  /** Reads and applies new changes; concurrent wake-ups coalesce into one more read. */
  read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce().catch(() => {}); // a failed read leaves lastSync behind: staleness grows
      } while (this.again && !this.stopped);
      this.reading = null;
    })();
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const startedAt = this.now();
    if (!this.listening && !this.stopped) await this.listen();
    const rows = await this.db.query<{ id: string; kind: string; principal_id: string }>(
      'SELECT id::text, kind, principal_id FROM principal_changes WHERE id > $1 ORDER BY id LIMIT $2',
      [Math.max(0, this.cursor - LOOKBACK), BATCH],
    );
    let keysChanged = false;
    for (const r of rows) {
      const id = Number(r.id);
      if (this.applied.has(id)) continue;
      this.applied.add(id);
      if (r.kind === 'service_account') this.states.invalidate(r.principal_id, true);
      else if (r.kind === 'user') this.states.invalidateUser(r.principal_id, true);
      else if (r.kind === 'signing_keys') keysChanged = true;
      if (id > this.cursor) this.cursor = id;
    }
    if (keysChanged) await this.options.onKeysChanged();
    for (const id of this.applied) if (id <= this.cursor - LOOKBACK) this.applied.delete(id);
    if (++this.reads % PRUNE_EVERY === 0) {
      await this.db.query('DELETE FROM principal_changes WHERE id < $1', [this.cursor - KEEP]);
    }
    // A read that came back full may have more behind it.
    if (rows.length === BATCH) this.again = true;
    this.lastSync = startedAt;
  }

  private async listen(): Promise<void> {
    if (!this.db.listen) return;
    try {
      this.unlisten = await this.db.listen(
        () => void this.read(),
        // Reconnect at once (the next read listens again) rather than at the next poll.
        () => {
          this.listening = false;
          if (!this.stopped) void this.read();
        },
      );
      this.listening = true;
    } catch {
      this.listening = false; // retried on the next poll; until then the poll alone keeps us current
    }
  }
}
