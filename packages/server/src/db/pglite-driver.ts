import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * Embedded driver: PGlite keeps a real Postgres in WASM inside this process, with its files under
 * `dataDir` (or in memory when `dataDir` is undefined, for tests). PGlite is single-process, so
 * the data directory is locked for the life of the process.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let lite: PGlite;
  try {
    lite = await PGlite.create(dataDir ? `${dataDir}/pgdata` : undefined);
  } catch (err) {
    unlock();
    throw err;
  }
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T>(sql: string, params?: readonly unknown[]) =>
      (await q.query<T>(sql, params as unknown[])).rows,
    async exec(sql) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...asQueryable(lite),
    transaction: (fn) => lite.transaction((tx) => fn(asQueryable(tx))),
    async ping() {
      await lite.query('SELECT 1');
    },
    async close() {
      await lite.close();
      unlock();
    },
  };
}
