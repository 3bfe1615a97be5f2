import type { Db } from '../db/db.js';
import { serviceAccountStore, type ClientSecret } from '../service-accounts/store.js';

/** What the access decision needs to know about a service account right now (ARCHITECTURE property 2). */
export interface ServiceAccountState {
  id: string;
  orgId: string;
  name: string;
  scopes: ReadonlySet<string>;
  disabled: boolean;
  expiresAt: Date | null;
  tokenEpoch: number;
  secrets: readonly ClientSecret[];
}

/**
 * The in-memory principal state, read on every token grant and every API call. Entries load from
 * the database on first use and are replaced whenever a change is committed (`invalidate`, called
 * by the services after their transaction). A load that raced a change is discarded, so a stale
 * row can never overwrite a newer invalidation.
 */
export class PrincipalStates {
  private readonly accounts = new Map<string, ServiceAccountState>();
  private readonly versions = new Map<string, number>();
  private readonly loading = new Map<string, Promise<ServiceAccountState | null>>();

  constructor(private readonly db: Db) {}

  async serviceAccount(id: string): Promise<ServiceAccountState | null> {
    const hit = this.accounts.get(id);
    if (hit !== undefined) return hit;
    let pending = this.loading.get(id);
    if (!pending) {
      const load: Promise<ServiceAccountState | null> = this.load(id).finally(() => {
        if (this.loading.get(id) === load) this.loading.delete(id);
      });
      this.loading.set(id, (pending = load));
    }
    return pending;
  }

  /** The cached state of `id`, without loading it (the hot path avoids a promise when it can). */
  peek(id: string): ServiceAccountState | undefined {
    return this.accounts.get(id);
  }

  /** Forget `id`; the next read loads it fresh. Called after every committed change. */
  invalidate(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    this.accounts.delete(id);
    this.loading.delete(id);
  }

  /** Whether the state can be trusted to be fresh; in one process it always can. */
  assertFresh(): void {}

  private async load(id: string): Promise<ServiceAccountState | null> {
    const version = this.versions.get(id) ?? 0;
    const account = await serviceAccountStore.find(this.db, id);
    const state: ServiceAccountState | null = account && {
      id: account.id,
      orgId: account.orgId,
      name: account.name,
      scopes: new Set(account.scopes),
      disabled: account.disabledAt !== null,
      expiresAt: account.expiresAt,
      tokenEpoch: account.tokenEpoch,
      secrets: await serviceAccountStore.secrets(this.db, id),
    };
    // Unknown ids are not cached: a flood of made-up client ids must not grow the map.
    if (state && (this.versions.get(id) ?? 0) === version) this.accounts.set(id, state);
    return state;
  }
}

/** [A8]: past its expiry a service account behaves as disabled. */
export function isActive(state: ServiceAccountState, now: Date): boolean {
  return !state.disabled && (state.expiresAt === null || state.expiresAt.getTime() > now.getTime());
}
