import { PGlite } from '@electric-sql/pglite';
import { DatabaseUnavailableError, type Db, type Queryable } from './db.js';
import { lockDataDir } from './data-dir-lock.js';
import { pgliteDurability, type DurabilityOptions } from './pglite-durability.js';

export interface PgliteOptions {
  /**
   * Called once when PGlite can no longer be trusted (see isFatalPgliteError). The server exits
   * here so that a supervisor restarts it; every later call fails fast with a 503 either way.
   */
  onFatal?: (err: unknown) => void;
  /** Durable commits (db/pglite-durability.ts); default on. Off is for benchmarks only. */
  durability?: DurabilityOptions;
}

/**
 * Errors after which the PGlite instance is unusable: a WASM trap or abort, a closed instance,
 * a PANIC, and a failed WAL write. Measured on 0.5.16: after "could not write to file pg_wal/xlogtemp…"
 * (ENOSPC) the next query spins inside WASM forever, blocking the event loop (no /healthz, no
 * SIGTERM), even once space is back. PostgreSQL itself PANICs there. A full data file
 * ("could not extend file base/…") is different: PGlite answers later queries normally.
 */
export function isFatalPgliteError(err: unknown): boolean {
  if (err instanceof WebAssembly.RuntimeError) return true;
  if (!(err instanceof Error)) return false;
  if (/PGlite is closed|^Aborted\(|RuntimeError|unreachable executed|memory access out of bounds/i.test(err.message)) return true;
  // A PANIC is where PostgreSQL restarts; PGlite reports it (outside a transaction block), then
  // spins on the next query. (A failed sync never gets here: db/pglite-durability.ts exits first.)
  if ((err as { severity?: unknown }).severity === 'PANIC') return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('53') || code === '58030') && /pg_wal|xlog/i.test(err.message);
}

/**
 * Embedded driver: PGlite keeps a real Postgres in WASM inside this process, with its files under
 * `dataDir` (or in memory when `dataDir` is undefined, for tests). PGlite is single-process, so
 * the data directory is locked for the life of the process.
 */
export async function createPgliteDb(dataDir?: string, options: PgliteOptions = {}): Promise<Db> {
  const unlock = dataDir ? await lockDataDir(dataDir) : () => {};
  let lite: PGlite;
  try {
    if (dataDir) {
      const durability = pgliteDurability(`${dataDir}/pgdata`, options.durability ?? { sync: true });
      lite = await PGlite.create(durability.createOptions);
      try {
        durability.afterOpen();
      } catch (err) {
        await lite.close();
        throw err;
      }
    } else {
      lite = await PGlite.create();
    }
  } catch (err) {
    unlock();
    throw err;
  }
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
