import pg from 'pg';
import { DatabaseUnavailableError, isConnectionError, type Db, type Queryable } from './db.js';

export interface PgDriverOptions {
  connectionString: string;
  /** Postgres schema to use (tests isolate each file in its own schema). */
  schema?: string;
  max?: number;
}

function wrap(err: unknown): unknown {
  return isConnectionError(err) ? new DatabaseUnavailableError(err) : err;
}

/** `pg` driver: a pooled connection to a PostgreSQL server (server mode, §9). */
export function createPgDb(options: PgDriverOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 2_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const run = async <T>(q: Queryable['query'], sql: string, params?: readonly unknown[]) => {
    try {
      return (await q(sql, params)) as T[];
    } catch (err) {
      throw wrap(err);
    }
  };

  return {
    kind: 'postgres',
    query: <T>(sql: string, params?: readonly unknown[]) =>
      run<T>(async (s, p) => (await pool.query(s, p as unknown[])).rows, sql, params),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrap(err);
      }
      const tx: Queryable = {
        query: <T>(sql: string, params?: readonly unknown[]) =>
          run<T>(async (s, p) => (await client.query(s, p as unknown[])).rows, sql, params),
        async exec(sql) {
          await run(async (s) => (await client.query(s)).rows, sql);
        },
      };
      try {
        await tx.query('BEGIN');
        const result = await fn(tx);
        await tx.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw wrap(err);
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await run(async (s) => (await pool.query(s)).rows, sql);
    },
    async ping() {
      await run(async (s) => (await pool.query(s)).rows, 'SELECT 1');
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async listen(onNotify, onLost) {
      const client = new pg.Client({
        connectionString: options.connectionString,
        connectionTimeoutMillis: 2_000,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      });
      let lost = false;
      const lose = (err: unknown) => {
        if (lost) return;
        lost = true;
        onLost(err);
        client.end().catch(() => {});
      };
      client.on('error', lose);
      client.on('end', () => lose(new Error('listen connection ended')));
      client.on('notification', () => onNotify());
      try {
        await client.connect();
        // The channel is named after the schema, as the trigger in 003_principal_changes.sql does.
        const [row] = (await client.query<{ channel: string }>(`SELECT 'gatehouse_changes_' || current_schema() AS channel`)).rows;
        await client.query(`LISTEN "${row!.channel.replace(/"/g, '')}"`);
      } catch (err) {
        lost = true;
        client.end().catch(() => {});
        throw wrap(err);
      }
      return async () => {
        lost = true;
        await client.end().catch(() => {});
      };
    },
    close: () => pool.end(),
  };
}
