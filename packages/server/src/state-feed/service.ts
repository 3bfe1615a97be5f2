import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { PrincipalChange, ServiceAccountState, UserState } from '../access/principal-state.js';
import type { Db } from '../db/db.js';
import { serviceAccountWire, stateFeedStore, userWire } from './store.js';

/**
 * What the feed reads principal state from: PrincipalStates, whose `subscribe` announces every
 * committed change (made here, or on another instance and applied by cluster/change-feed.ts).
 */
export interface PrincipalSource {
  subscribe(listener: (change: PrincipalChange) => void): () => void;
  serviceAccount(id: string): Promise<ServiceAccountState | null>;
  user(id: string): Promise<UserState | null>;
  /** Throws when this instance's own state may be stale (server mode); then no heartbeat is sent. */
  assertFresh(): void;
}

export interface StateFeedOptions {
  /** Changes kept for resuming connections (older cursors get a snapshot instead). */
  ringSize?: number;
  /** A change not yet delivered after this long stops the heartbeats (fail closed downstream). */
  maxPendingMs?: number;
  /** A connection whose unsent output exceeds this is dropped (it reconnects and gets a snapshot). */
  maxBufferedBytes?: number;
  monotonicMs?: () => number;
  /** [C1] The loaded catalogue's role table, sent in every snapshot (default: no role grants anything). */
  roles?: Readonly<Record<string, readonly string[]>>;
}

interface FeedEvent {
  seq: number;
  frame: string;
}

/** Server-sent events (HTML Living Standard §9.2): `id`, `event`, `data`, a blank line. */
const frame = (id: string | null, event: string, data: unknown): string =>
  `${id === null ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** One subscriber: buffers while its snapshot is being read, then writes as events come. */
class Connection {
  private queued: string[] | null = [];
  private timer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly maxBufferedBytes: number,
  ) {}

  send(text: string): void {
    if (this.queued) this.queued.push(text);
    else this.write(text);
  }

  /** Writes directly, ahead of anything queued (the snapshot or the replay). */
  write(text: string): void {
    if (this.closed) return;
    this.raw.write(text);
    if (this.raw.writableLength > this.maxBufferedBytes) this.close();
  }

  open(): void {
    const queued = this.queued ?? [];
    this.queued = null;
    for (const text of queued) this.write(text);
  }

  heartbeat(everyMs: number, beat: () => string | null): void {
    const tick = () => {
      const text = beat();
      if (text) this.write(text);
    };
    tick();
    this.timer = setInterval(tick, everyMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.raw.end();
  }

  dispose(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}

/**
 * The state feed for resource servers' verifiers (SDK `createVerifier`). On connect: a snapshot
 * of every principal (or, with a cursor this instance still holds, only the changes after it);
 * then each principal's new state as changes commit; and a heartbeat every `heartbeatMs` while
 * this instance's state is trustworthy, so that a verifier can tell a quiet feed from a dead one
 * and fail closed. Cursors are `<instance>.<seq>`: another instance's or a restarted instance's
 * cursor simply gets a snapshot.
 */
export class StateFeed {
  readonly instance = crypto.randomBytes(6).toString('base64url');
  private seq = 0;
  private version = 0;
  private ring: FeedEvent[] = [];
  private readonly dirty = new Map<string, PrincipalChange>();
  /** When the oldest change not yet taken for reading was announced, and when the batch being read was. */
  private pendingSince: number | null = null;
  private batchSince: number | null = null;
  private working = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly connections = new Set<Connection>();
  private unsubscribe: (() => void) | null = null;
  private readonly ringSize: number;
  private readonly maxPendingMs: number;
  private readonly maxBufferedBytes: number;
  private readonly now: () => number;

  private readonly roleTable: Readonly<Record<string, readonly string[]>>;

  constructor(
    private readonly db: Db,
    private readonly source: PrincipalSource,
    options: StateFeedOptions = {},
  ) {
    this.ringSize = options.ringSize ?? 10_000;
    this.maxPendingMs = options.maxPendingMs ?? 1000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.now = options.monotonicMs ?? (() => performance.now());
    this.roleTable = options.roles ?? {};
  }

  start(): void {
    this.unsubscribe ??= this.source.subscribe((change) => this.onChange(change));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    clearTimeout(this.retryTimer);
    for (const c of this.connections) c.close();
    this.connections.clear();
  }

  get subscribers(): number {
    return this.connections.size;
  }

  /** Streams the feed to `raw` (headers already sent) until either side closes it. */
  async connect(raw: ServerResponse, options: { cursor?: string; heartbeatMs: number }): Promise<void> {
    const conn = new Connection(raw, this.maxBufferedBytes);
    this.connections.add(conn);
    raw.on('close', () => {
      conn.dispose();
      this.connections.delete(conn);
    });
    // SSE §9.2.6: how long a client waits before reconnecting.
    conn.write(`retry: 1000\n\n`);
    const replay = this.replayAfter(options.cursor);
    if (replay) {
      for (const e of replay) conn.write(e.frame);
    } else {
      const at = this.seq;
      const v = ++this.version;
      try {
        const snapshot = await stateFeedStore.snapshot(this.db, v);
        conn.write(frame(this.cursor(at), 'snapshot', { cursor: this.cursor(at), heartbeatMs: options.heartbeatMs, roles: this.roles(), ...snapshot }));
      } catch {
        conn.close(); // the database is unreachable: the verifier retries and fails closed meanwhile
        return;
      }
    }
    conn.open();
    conn.heartbeat(options.heartbeatMs, () => (this.healthy() ? frame(this.cursor(this.seq), 'heartbeat', { cursor: this.cursor(this.seq) }) : null));
  }

  /** The events after `cursor`, if this instance still holds all of them; null means "snapshot". */
  private replayAfter(cursor: string | undefined): FeedEvent[] | null {
    if (!cursor) return null;
    const dot = cursor.lastIndexOf('.');
    if (cursor.slice(0, dot) !== this.instance) return null;
    const after = Number(cursor.slice(dot + 1));
    if (!Number.isInteger(after) || after < 0 || after > this.seq) return null;
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    if (after < oldest - 1) return null;
    return this.ring.filter((e) => e.seq > after);
  }

  private cursor(seq: number): string {
    return `${this.instance}.${seq}`;
  }

  /** §6: the role table, so that verifiers apply the server's own, not a copy that could drift. */
  private roles(): Readonly<Record<string, readonly string[]>> {
    return this.roleTable;
  }

  /**
   * Heartbeats mean "everything committed is on its way": not while this instance's own state may
   * be stale, nor while a change has waited too long to be read (the database is failing).
   */
  private healthy(): boolean {
    const oldest = Math.min(this.pendingSince ?? Infinity, this.batchSince ?? Infinity);
    if (this.now() - oldest > this.maxPendingMs) return false;
    try {
      this.source.assertFresh();
      return true;
    } catch {
      return false;
    }
  }

  private onChange(change: PrincipalChange): void {
    this.dirty.set(`${change.kind}:${change.id}`, change);
    this.pendingSince ??= this.now();
    void this.work();
  }

  /**
   * Reads the new state of every changed principal and publishes it. Changes coalesce per
   * principal; each read takes a version before it starts, so a verifier can tell which of two
   * states of a principal is newer whatever order they arrive in.
   */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.dirty.size) {
        const batch = [...this.dirty.values()];
        this.dirty.clear();
        this.batchSince = this.pendingSince;
        this.pendingSince = null;
        for (let i = 0; i < batch.length; i++) {
          const change = batch[i]!;
          const v = ++this.version;
          let state: unknown;
          try {
            state =
              change.kind === 'service_account'
                ? await this.source.serviceAccount(change.id).then((s) => s && serviceAccountWire(s, v))
                : await this.source.user(change.id).then((u) => u && userWire(u, v));
          } catch {
            // Put this one and the rest back; heartbeats stop once they have waited maxPendingMs.
            for (const c of batch.slice(i)) if (!this.dirty.has(`${c.kind}:${c.id}`)) this.dirty.set(`${c.kind}:${c.id}`, c);
            this.pendingSince = Math.min(this.pendingSince ?? Infinity, this.batchSince ?? this.now());
            this.batchSince = null;
            clearTimeout(this.retryTimer);
            this.retryTimer = setTimeout(() => void this.work(), 250);
            this.retryTimer.unref();
            return;
          }
          this.publish({ kind: change.kind, id: change.id, v, state });
        }
        this.batchSince = null;
      }
    } finally {
      this.working = false;
    }
  }

  private publish(data: { kind: string; id: string; v: number; state: unknown }): void {
    const seq = ++this.seq;
    const event = { seq, frame: frame(this.cursor(seq), 'change', { cursor: this.cursor(seq), ...data }) };
    this.ring.push(event);
    if (this.ring.length > this.ringSize * 2) this.ring = this.ring.slice(-this.ringSize);
    for (const c of this.connections) c.send(event.frame);
  }
}
