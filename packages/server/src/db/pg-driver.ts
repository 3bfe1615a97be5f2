import pg from 'pg';
import { DatabaseUnavailableError, isConnectionError, type Db, type Queryable, type TransactionOptions } from './db.js';

export interface PgDriverOptions {
  connectionString: string;
  /** Postgres schema to use (tests isolate each file in its own schema). */
  schema?: string;
  max?: number;
  /**
   * The longest one statement may run (GATEHOUSE_DB_TIMEOUT_MS, default 5000). Every other bound
   * derives from it: see `bounds`.
   */
  timeoutMs?: number;
}

export const DEFAULT_DB_TIMEOUT_MS = 5_000;

/**
 * Every wait on the database is bounded, because after a failover or a NAT table loss an open
 * connection can go quiet for good (no FIN, no RST): without bounds, each request and the LISTEN
 * connection would wait forever and the instance would never serve again (issue "Hardening" 8).
 */
function bounds(timeoutMs: number) {
  return {
    // The server cancels a slow statement itself (SQLSTATE 57014), keeping the connection.
    statement: timeoutMs,
    // The client gives up a second later: the server is not answering at all.
    query: timeoutMs + 1_000,
    connect: Math.min(timeoutMs, 2_000),
    // A transaction whose client went silent must not hold its locks for long.
    idleInTransaction: Math.max(10_000, 2 * timeoutMs),
    // The LISTEN connection proves it is alive this often (it carries no queries otherwise).
    listenProbe: Math.min(Math.max(500, timeoutMs / 2), 5_000),
  };
}

/** A statement cancelled by statement_timeout, or a read the client gave up on. */
const isTimeout = (err: unknown): boolean =>
  (err as { code?: unknown } | null)?.code === '57014' || (err instanceof Error && /Query read timeout/.test(err.message));

/** Errors after which the connection itself is suspect and must not go back to the pool. */
const isBroken = (err: unknown): boolean => isConnectionError(err) || (err instanceof Error && /Query read timeout/.test(err.message));

function wrap(err: unknown): unknown {
  return isConnectionError(err) || isTimeout(err) ? new DatabaseUnavailableError(err) : err;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** No client-side limit (migrations: an index build on a large table may take minutes). */
const UNBOUNDED_MS = 24 * 3_600_000;

/** `pg` driver: a pooled connection to a PostgreSQL server (server mode, §9). */
export function createPgDb(options: PgDriverOptions): Db {
  const limits = bounds(options.timeoutMs ?? DEFAULT_DB_TIMEOUT_MS);
  const connection = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: limits.connect,
    statement_timeout: limits.statement,
    query_timeout: limits.query,
    idle_in_transaction_session_timeout: limits.idleInTransaction,
    // Lets the kernel notice a peer that vanished while the connection idles.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  };
  const pool = new pg.Pool({ ...connection, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  // Connections opened before the last broken one are presumed as dead as it was (a failover
  // silences them all at once): they are closed when next taken from the pool, not queried, so
  // that a pool of silent connections costs one timeout, not one per connection.
  let generation = 0;
  const generations = new WeakMap<pg.PoolClient, number>();
  pool.on('connect', (client) => {
    generations.set(client as pg.PoolClient, generation);
    // A connection dying while its client is checked out between two queries (inside a
    // transaction, say) must not crash the process: the next query on it fails instead, and the
    // pool drops it on release.
    client.on('error', () => {});
  });
  const suspect = () => {
    generation++;
  };

  const acquire = async (): Promise<pg.PoolClient> => {
    for (;;) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrap(err);
      }
      if (generations.get(client) === generation) return client;
      client.release(true);
    }
  };

  /** One query on a pooled client; a client whose query broke or timed out is destroyed. */
  const pooled = async <T>(text: string, params?: readonly unknown[], queryTimeout?: number): Promise<T[]> => {
    const client = await acquire();
    let broken: Error | undefined;
    try {
      return (await client.query({ text, values: params as unknown[], ...(queryTimeout ? { query_timeout: queryTimeout } : {}) })).rows as T[];
    } catch (err) {
      if (isBroken(err)) {
        broken = asError(err);
        suspect();
      }
      throw wrap(err);
    } finally {
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    query: <T>(sql: string, params?: readonly unknown[]) => pooled<T>(sql, params),
    async transaction(fn, txOptions?: TransactionOptions) {
      const client = await acquire();
      const queryTimeout = txOptions?.unbounded ? UNBOUNDED_MS : undefined;
      let broken: Error | undefined;
      const run = async <T>(text: string, params?: readonly unknown[]): Promise<T[]> => {
        try {
          return (await client.query({ text, values: params as unknown[], ...(queryTimeout ? { query_timeout: queryTimeout } : {}) })).rows as T[];
        } catch (err) {
          if (isBroken(err)) broken = asError(err);
          throw wrap(err);
        }
      };
      const tx: Queryable = {
        query: <T>(sql: string, params?: readonly unknown[]) => run<T>(sql, params),
        async exec(sql) {
          await run(sql);
        },
      };
      try {
        await run('BEGIN');
        if (txOptions?.unbounded) await run('SET LOCAL statement_timeout = 0');
        const result = await fn(tx);
        await run('COMMIT');
        return result;
      } catch (err) {
        // A silent connection would make ROLLBACK wait too: it is destroyed instead, and the
        // server rolls back when it notices (idle_in_transaction_session_timeout at the latest).
        if (broken) suspect();
        else await client.query('ROLLBACK').catch(() => {});
        throw wrap(err);
      } finally {
        client.release(broken);
      }
    },
    async exec(sql) {
      await pooled(sql, undefined, UNBOUNDED_MS);
    },
    async ping() {
      await pooled('SELECT 1');
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async listen(onNotify, onLost) {
      const client = new pg.Client(connection);
      let lost = false;
      let probe: NodeJS.Timeout | undefined;
      const lose = (err: unknown) => {
        if (lost) return;
        lost = true;
        clearInterval(probe);
        onLost(err);
        // end() waits for the server's goodbye, which a silent connection never sends.
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
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
      // A LISTEN connection only receives, so a silent one looks idle forever: it must answer a
      // query now and then (bounded by query_timeout), or it is dropped and the feed reconnects.
      probe = setInterval(() => {
        client.query('SELECT 1').catch((err: unknown) => {
          if (!lost) suspect();
          lose(err);
        });
      }, limits.listenProbe);
      probe.unref();
      return async () => {
        lost = true;
        clearInterval(probe);
        // A polite goodbye if the server answers soon; a closed socket if it does not.
        await Promise.race([client.end().catch(() => {}), new Promise((r) => setTimeout(r, limits.connect).unref())]);
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      };
    },
    close: () => pool.end(),
  };
}
