import {
  roleTableFromWire,
  serviceAccountFromWire,
  userFromWire,
  type ChangeEvent,
  type RoleTable,
  type ServiceAccountState as AccessServiceAccountState,
  type ServiceAccountWire,
  type SnapshotEvent,
  type UserState as AccessUserState,
  type UserWire,
} from '@gatehouse/access';
import { readEvents } from './sse.js';

/** A service account as the verifier knows it (the access core's state, with its feed version). */
export interface ServiceAccountState extends AccessServiceAccountState {
  readonly v: number;
}

/** A user as the verifier knows it: deactivation, token epoch, current role per organization. */
export interface UserState extends AccessUserState {
  /** The person's email, as `name` (the feed's field). */
  readonly name: string;
  readonly v: number;
}

export interface StateFeedClientOptions {
  /** `${url}/api/v1/state-feed` */
  feedUrl: string;
  /** The operator-issued resource-server credential. */
  credential: string;
  /** Heartbeat interval asked of the server. */
  heartbeatMs: number;
  /** A connection silent this long is dropped and made again. */
  reconnectAfterSilentMs: number;
  fetch?: typeof fetch;
  monotonicMs?: () => number;
  onEvent?: (event: StateFeedEvent) => void;
}

/** What the feed client did, for a caller's logs (never the credential). */
export type StateFeedEvent =
  | { type: 'connected'; resumed: boolean }
  | { type: 'snapshot'; serviceAccounts: number; users: number }
  | { type: 'disconnected'; reason: string }
  | { type: 'refused'; status: number };

/**
 * Subscribes to Gatehouse's state feed (server-sent events) and keeps every principal's current
 * state in memory: a snapshot on connect, then each change; resumes with its cursor after a
 * reconnect. State objects are replaced, never mutated, so a verifier can tell by identity that a
 * principal changed. `silentMs()` is how long the feed has said nothing (heartbeats included).
 */
export class StateFeedClient {
  accounts = new Map<string, ServiceAccountState>();
  users = new Map<string, UserState>();
  /** Deleted principals' versions, so that an older state arriving late cannot revive them. */
  private tombstones = new Map<string, number>();
  roleScopes: RoleTable = new Map();
  private cursor: string | undefined;
  private lastMessageAt = -Infinity;
  private stopped = false;
  private connection: AbortController | null = null;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readyResolve!: () => void;
  /** Resolves on the first snapshot. */
  readonly ready: Promise<void> = new Promise((resolve) => {
    this.readyResolve = resolve;
  });
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private loop: Promise<void> | null = null;
  private wakeSleep: (() => void) | null = null;

  constructor(private readonly options: StateFeedClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.monotonicMs ?? (() => performance.now());
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    this.watchdog = setInterval(
      () => {
        if (this.connection && this.silentMs() > this.options.reconnectAfterSilentMs) this.connection.abort(new Error('the state feed went silent'));
      },
      Math.max(50, Math.min(1000, this.options.reconnectAfterSilentMs / 4)),
    );
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.connection?.abort(new Error('stopped'));
    this.wakeSleep?.();
    // The abort ends the read loop; waiting is bounded all the same, so close() always returns.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.loop,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  silentMs(): number {
    return this.now() - this.lastMessageAt;
  }

  /** Whether the feed announced that this principal was deleted. */
  deleted(kind: 'service_account' | 'user', id: string): boolean {
    return this.tombstones.has(`${kind}:${id}`);
  }

  /** Resolves when `id` changes or appears, or after `ms`. */
  waitFor(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        if (set!.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const controller = new AbortController();
      this.connection = controller;
      try {
        const url = new URL(this.options.feedUrl);
        url.searchParams.set('heartbeatMs', String(this.options.heartbeatMs));
        const res = await this.fetchImpl(url, {
          headers: {
            authorization: `Bearer ${this.options.credential}`,
            accept: 'text/event-stream',
            ...(this.cursor ? { 'last-event-id': this.cursor } : {}),
          },
          signal: controller.signal,
          redirect: 'error',
        });
        if (!res.ok || !res.body) {
          this.options.onEvent?.({ type: 'refused', status: res.status });
          await res.body?.cancel().catch(() => {});
          throw new Error(`the state feed answered HTTP ${res.status}`);
        }
        this.options.onEvent?.({ type: 'connected', resumed: this.cursor !== undefined });
        for await (const event of readEvents(res.body, controller.signal)) {
          this.handle(event.event, event.data, event.id);
          failures = 0;
        }
        throw new Error('the state feed ended');
      } catch (err) {
        if (this.stopped) break;
        this.options.onEvent?.({ type: 'disconnected', reason: (err as Error).message });
      } finally {
        this.connection = null;
      }
      // Jittered backoff, 100 ms doubling to 5 s: a restarting server is not stampeded.
      const ceiling = Math.min(5000, 100 * 2 ** failures++);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => {
            this.wakeSleep = null;
            resolve();
          },
          ceiling / 2 + (Math.random() * ceiling) / 2,
        );
        this.wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private handle(event: string, data: string, id: string | undefined): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (event === 'snapshot') {
      const snapshot = body as unknown as SnapshotEvent;
      const accounts = new Map<string, ServiceAccountState>();
      for (const a of snapshot.serviceAccounts) accounts.set(a.id, serviceAccountFromWire(a));
      const users = new Map<string, UserState>();
      for (const u of snapshot.users) users.set(u.id, userFromWire(u));
      const roles = roleTableFromWire(snapshot.roles);
      this.accounts = accounts;
      this.users = users;
      this.tombstones = new Map();
      this.roleScopes = roles;
      this.options.onEvent?.({ type: 'snapshot', serviceAccounts: accounts.size, users: users.size });
      this.readyResolve();
      for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    } else if (event === 'change') {
      this.apply(body as unknown as ChangeEvent);
    } else if (event !== 'heartbeat') {
      return; // unknown events are ignored (forward compatibility), and do not count as life
    }
    if (id !== undefined) this.cursor = id;
    this.lastMessageAt = this.now();
  }

  private apply(change: ChangeEvent): void {
    const map: Map<string, ServiceAccountState | UserState> | null =
      change.kind === 'service_account' ? this.accounts : change.kind === 'user' ? this.users : null;
    if (!map) return;
    const known = map.get(change.id)?.v ?? this.tombstones.get(`${change.kind}:${change.id}`) ?? -1;
    if (known >= change.v) return; // an older read than the state already held
    if (change.state === null) {
      map.delete(change.id);
      this.tombstones.set(`${change.kind}:${change.id}`, change.v);
    } else {
      map.set(
        change.id,
        change.kind === 'service_account' ? serviceAccountFromWire(change.state as ServiceAccountWire) : userFromWire(change.state as UserWire),
      );
    }
    const set = this.waiters.get(change.id);
    if (set) for (const wake of [...set]) wake();
  }
}
