import type { Db, Queryable } from '../../src/db/db.js';

/**
 * Wraps a test database so a test can cut it off: while cut, every query fails the way `pg` does
 * when the server is gone (ECONNREFUSED). The stop-the-real-server cases live with the scale-out
 * tests; this one proves the mapping from "database gone" to 503 on every path.
 */
export function cuttable(db: Db): Db & { cut(): void; restore(): void } {
  let down = false;
  const refuse = () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:5432') as Error & { code: string };
    err.code = 'ECONNREFUSED';
    return err;
  };
  const guard = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      if (down) throw refuse();
      return q.query(sql, params);
    },
    exec: async (sql) => {
      if (down) throw refuse();
      return q.exec(sql);
    },
  });
  return {
    ...db,
    ...guard(db),
    transaction: async (fn) => {
      if (down) throw refuse();
      return db.transaction((tx) => fn(guard(tx)));
    },
    ping: async () => {
      if (down) throw refuse();
      return db.ping();
    },
    close: () => db.close(),
    cut: () => {
      down = true;
    },
    restore: () => {
      down = false;
    },
  };
}
