import type { PGlite } from '@electric-sql/pglite';
import { DatabaseUnavailableError, type Db, type Queryable } from './db.js';
import { lockDataDir } from './data-dir-lock.js';
import { isFatalPgliteError } from './pglite-wire.js';
import { startPgliteWorker } from './pglite-worker-client.js';
import { openPglite, type DurabilityOptions } from './pglite-durability.js';

export { isFatalPgliteError };

export interface PgliteOptions {
  /**
   * Called once when PGlite can no longer be trusted (see isFatalPgliteError). The server exits
   * here so that a supervisor restarts it; every later call fails fast with a 503 either way.
   */
  onFatal?: (err: unknown) => void;
  /** Durable commits (db/pglite-durability.ts); default on. Off is for benchmarks only. */
  durability?: DurabilityOptions;
  /**
   * In memory only (tests): start as a copy of this database, a tarball from PGlite's
   * `dumpDataDir('none')`, instead of running initdb: a fresh in-memory PGlite opened in ~5.3 s on
   * a 2-core machine, a copy of an empty, initialized one in ~1.4 s (test/support/pglite-template.ts).
   */
  template?: Uint8Array<ArrayBuffer>;
}

/** Where PGlite runs: its own worker thread (the default), or `main`, the request thread, as before issue 16. */
export type PgliteThread = 'worker' | 'main';

/** GATEHOUSE_PGLITE_THREAD (checked by config.ts); read here too because the CLI and tests open databases directly. */
export const pgliteThreadFromEnv = (): PgliteThread => (process.env.GATEHOUSE_PGLITE_THREAD === 'main' ? 'main' : 'worker');

/**
 * Embedded driver: PGlite keeps a real Postgres in WASM inside this process, with its files under
 * `dataDir` (or in memory when `dataDir` is undefined, for tests). PGlite is single-process, so
 * the data directory is locked for the life of the process. By default it runs in a worker thread
 * (db/pglite-worker.ts) so that queries do not stall the request thread; in-memory databases
 * too, so that the whole test suite exercises the default.
 */
export async function createPgliteDb(dataDir?: string, options: PgliteOptions & { thread?: PgliteThread } = {}): Promise<Db> {
  if (dataDir && options.template) throw new Error('a template is for in-memory databases only');
  const unlock = dataDir ? await lockDataDir(dataDir) : () => {};
  const pgdata = dataDir ? `${dataDir}/pgdata` : undefined;
  try {
    if ((options.thread ?? pgliteThreadFromEnv()) === 'worker') {
      const { syncFd, onSyncFailure } = options.durability ?? {};
      // Functions cannot cross to the worker: tests that watch or fail syncs use thread 'main'.
      if (syncFd || onSyncFailure) throw new Error("durability.syncFd and onSyncFailure need thread: 'main'");
      const db = await startPgliteWorker(pgdata, { ...options, sync: options.durability?.sync ?? true });
      const close = db.close;
      // The lock outlives the worker: released only once PGlite has closed its files.
      return Object.assign(db, { close: () => close().finally(unlock) });
    }
    return await createInThread(pgdata, unlock, options);
  } catch (err) {
    unlock();
    throw err;
  }
}

/** PGlite on the request thread (GATEHOUSE_PGLITE_THREAD=main): the pre-issue-16 driver, kept as an escape hatch and a baseline. */
async function createInThread(pgdata: string | undefined, unlock: () => void, options: PgliteOptions): Promise<Db> {
  const lite = await openPglite(pgdata, options.durability ?? { sync: true }, options.template);
  let fatal: unknown = null;
  const markFatal = (err: unknown): boolean => {
    if (fatal || !isFatalPgliteError(err)) return Boolean(fatal);
    fatal = err;
    options.onFatal?.(err);
    return true;
  };
  /** Never calls into a poisoned instance: that call is the one that would spin. */
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    if (fatal) throw new DatabaseUnavailableError(fatal);
    try {
      return await run();
    } catch (err) {
      if (markFatal(err)) throw new DatabaseUnavailableError(err);
      throw err;
    }
  };
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: <T>(sql: string, params?: readonly unknown[]) => guarded(async () => (await q.query<T>(sql, params as unknown[])).rows),
    exec: (sql) =>
      guarded(async () => {
        await q.exec(sql);
      }),
  });
  return {
    kind: 'pglite',
    ...asQueryable(lite),
    transaction: (fn) =>
      guarded(
        () =>
          new Promise((resolve, reject) => {
            lite
              .transaction(async (tx) => {
                try {
                  return await fn(asQueryable(tx));
                } catch (err) {
                  if (!fatal) throw err;
                  // Poisoned mid-transaction: answer the caller now, and leave PGlite's transaction
                  // pending, because the ROLLBACK it would send next is the call that spins.
                  reject(new DatabaseUnavailableError(err));
                  return new Promise<never>(() => {});
                }
              })
              .then(resolve, reject);
          }),
      ),
    async ping() {
      await guarded(() => lite.query('SELECT 1'));
    },
    async close() {
      if (!fatal) await lite.close();
      unlock();
    },
  };
}
