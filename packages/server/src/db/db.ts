/**
 * The narrow database interface every store is written against. Two drivers implement it:
 * PGlite (embedded Postgres in WASM) and `pg` (a PostgreSQL server). Both speak the same SQL.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * Prefix of a statement written so that one plan suits every value: no `$n IS NULL OR …`, only
 * conditions an index can use. The embedded driver may then run it (outside a transaction) with
 * a cached generic plan (db/pglite-prepared.ts): for a small query on disk, planning is most of
 * the cost, since PostgreSQL reads every relation's size (an fstat each, through PGlite's file
 * system) for every plan. To PostgreSQL it is a comment.
 */
export const GENERIC_PLAN = '/* generic plan */ ';

export interface TransactionOptions {
  /** Lift the statement and query time limits (migrations only: an index build may take minutes). */
  unbounded?: boolean;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  /**
   * Server mode only: LISTEN on this schema's change channel with a dedicated connection.
   * `onNotify` runs on every NOTIFY, `onLost` once if the connection drops; the returned function
   * stops listening. PGlite has no other process to hear from, so it has no `listen`.
   */
  /** Server mode only: the pool's connection counts, for /metrics. */
  poolStats?(): { total: number; idle: number; waiting: number };
  listen?(onNotify: () => void, onLost: (err: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Raised when the database cannot be reached; the HTTP layer answers 503, never an auth failure. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super('database unavailable', { cause });
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions (SQLSTATE class 08)
]);

/** True for errors that mean "the database is not there", as opposed to a bad query. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  return /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(err.message);
}

/** SQLSTATE 23505: a unique constraint refused the write (both drivers expose `code`). */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';

/**
 * SQLSTATE class 22 (data exception): a value the database cannot hold, such as a NUL byte in
 * text (22021). Values come from requests, so this is bad input, answered 400, never a 500.
 */
export const isDataException = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && code.startsWith('22');
};
