import { isActive as activeAt, type ServiceAccountState as AccessServiceAccountState, type UserState as AccessUserState } from '@gatehouse/access';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Role } from '../catalogue/scopes.js';
import type { Db } from '../db/db.js';
import { organizationStore } from '../organizations/store.js';
import { serviceAccountStore, type ClientSecret } from '../service-accounts/store.js';
import { userStore } from '../users/store.js';

/**
 * What the access decision needs to know about a service account right now (the access core's
 * state type), plus what the token endpoint needs: its client secrets.
 */
export interface ServiceAccountState extends AccessServiceAccountState {
  secrets: readonly ClientSecret[];
}

/** The access core's user state ([B6] roles, [B7] deactivation), plus the person's display name. */
export interface UserState extends AccessUserState {
  name: string;
  roles: ReadonlyMap<string, Role>;
}

/** A committed change to a principal, announced to subscribers (the state feed, other instances). */
export interface PrincipalChange {
  kind: 'service_account' | 'user';
  id: string;
  /** Committed elsewhere (another instance or worker) and heard here: not this process's to announce. */
  remote?: boolean;
}

/**
 * One kind of principal state, cached by id. Entries load from the database on first use and are
 * dropped whenever a change is committed (`invalidate`). A load that raced a change is discarded,
 * so a stale row can never overwrite a newer invalidation.
 */
class StateCache<T> {
  private readonly entries = new Map<string, T>();
  private readonly versions = new Map<string, number>();
  private readonly loading = new Map<string, Promise<T | null>>();
  /** Forced re-reads: the one running, and the one queued behind it, per id. */
  private readonly rereading = new Map<string, Promise<T | null>>();
  private readonly queued = new Map<string, Promise<T | null>>();

  constructor(private readonly loader: (id: string) => Promise<T | null>) {}

  /**
   * Reads `id` again from the database, with a read that starts after this call. Concurrent
   * callers coalesce: at most one re-read runs per id, and everyone who asks while it runs shares
   * the single one queued behind it, so a flood of requests costs one read at a time per id.
   */
  reread(id: string): Promise<T | null> {
    const waiting = this.queued.get(id);
    if (waiting) return waiting;
    const running = this.rereading.get(id);
    const start = (): Promise<T | null> => {
      this.queued.delete(id);
      // A newer version: a plain load already in flight (possibly older than the change we are
      // looking for) can no longer overwrite what this read finds.
      this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
      this.loading.delete(id);
      const read = this.get(id).finally(() => {
        if (this.rereading.get(id) === read) this.rereading.delete(id);
      });
      this.rereading.set(id, read);
      return read;
    };
    if (!running) return start();
    const next = running.catch(() => null).then(start);
    this.queued.set(id, next);
    return next;
  }

  get(id: string): Promise<T | null> {
    let pending = this.loading.get(id);
    if (!pending) {
      const load: Promise<T | null> = this.load(id).finally(() => {
        if (this.loading.get(id) === load) this.loading.delete(id);
      });
      pending = load;
      this.loading.set(id, load);
    }
    return pending;
  }

  peek(id: string): T | undefined {
    return this.entries.get(id);
  }

  invalidate(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    this.entries.delete(id);
    this.loading.delete(id);
  }

  private async load(id: string): Promise<T | null> {
    const version = this.versions.get(id) ?? 0;
    const state = await this.loader(id);
    // Unknown ids are not cached: a flood of made-up ids must not grow the map.
    if (state && (this.versions.get(id) ?? 0) === version) this.entries.set(id, state);
    return state;
  }
}

/**
 * The in-memory principal state, read on every token grant and every API call, for service
 * accounts and for users. Services call `invalidate*` after their transaction commits; the next
 * read loads the committed state, and subscribers hear about the change.
 */
export class PrincipalStates {
  private readonly accounts: StateCache<ServiceAccountState>;
  private readonly users: StateCache<UserState>;
  private readonly listeners = new Set<(change: PrincipalChange) => void>();

  constructor(
    private readonly db: Db,
    /** [C2] [A9] An account's stored scope names count only while the catalogue still has them. */
    private readonly catalogue: ScopeCatalogue,
  ) {
    this.accounts = new StateCache((id) => this.loadServiceAccount(id));
    this.users = new StateCache((id) => this.loadUser(id));
  }

  serviceAccount(id: string): Promise<ServiceAccountState | null> {
    const hit = this.accounts.peek(id);
    return hit ? Promise.resolve(hit) : this.accounts.get(id);
  }

  /**
   * The state of `id` read from the database now (coalesced with concurrent re-reads), for a
   * decision the cache may be too old to make: a secret rotated on another instance is in the
   * database before this instance's change feed hears of it.
   */
  rereadServiceAccount(id: string): Promise<ServiceAccountState | null> {
    return this.accounts.reread(id);
  }

  /** The cached state of `id`, without loading it (the hot path avoids a promise when it can). */
  peekServiceAccount(id: string): ServiceAccountState | undefined {
    return this.accounts.peek(id);
  }

  user(id: string): Promise<UserState | null> {
    const hit = this.users.peek(id);
    return hit ? Promise.resolve(hit) : this.users.get(id);
  }

  peekUser(id: string): UserState | undefined {
    return this.users.peek(id);
  }

  /** Forget a service account; the next read loads it fresh. Called after every committed change. */
  invalidate(id: string, remote = false): void {
    this.accounts.invalidate(id);
    this.emit(remote ? { kind: 'service_account', id, remote } : { kind: 'service_account', id });
  }

  /** Forget a user (roles, deactivation); called after every committed membership or user change. */
  invalidateUser(id: string, remote = false): void {
    this.users.invalidate(id);
    this.emit(remote ? { kind: 'user', id, remote } : { kind: 'user', id });
  }

  /** Hear about every committed change; returns the unsubscribe function. */
  subscribe(listener: (change: PrincipalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Set in server mode: throws 503 when this instance's change feed has gone silent. */
  freshness: (() => void) | null = null;

  /** Whether the state can be trusted to be fresh; in one process (PGlite) it always can. */
  assertFresh(): void {
    this.freshness?.();
  }

  private emit(change: PrincipalChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A failing subscriber must not undo or block a committed change.
      }
    }
  }

  private async loadServiceAccount(id: string): Promise<ServiceAccountState | null> {
    const account = await serviceAccountStore.find(this.db, id);
    return (
      account && {
        id: account.id,
        orgId: account.orgId,
        name: account.name,
        scopes: new Set(this.catalogue.current(account.scopes)),
        disabled: account.disabledAt !== null,
        expiresAt: account.expiresAt,
        tokenEpoch: account.tokenEpoch,
        secrets: await serviceAccountStore.secrets(this.db, id),
      }
    );
  }

  private async loadUser(id: string): Promise<UserState | null> {
    const user = await userStore.find(this.db, id);
    if (!user) return null;
    const memberships = await organizationStore.membershipsOf(this.db, id);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      deactivated: user.deactivatedAt !== null,
      tokenEpoch: user.tokenEpoch,
      roles: new Map(memberships.map((m) => [m.orgId, m.role])),
    };
  }
}

/** [A8]: past its expiry a service account behaves as disabled (the access core's rule, with a Date). */
export const isActive = (state: ServiceAccountState, now: Date): boolean => activeAt(state, now.getTime());
