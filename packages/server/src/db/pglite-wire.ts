/**
 * What the PGlite worker (db/pglite-worker.ts) and its client (db/pglite-worker-client.ts) send
 * each other, and the error classification both sides need. Messages travel as arrays: every call
 * made in one event-loop turn goes over in one postMessage, and the replies come back the same way.
 */

/** One call from the request thread. `txId` routes it into an open transaction; `begin` has no reply. */
export type WireRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; buffers: number[] | null; txId?: number }
  | { id: number; op: 'exec'; sql: string; txId?: number }
  | { op: 'begin'; txId: number }
  | { id: number; op: 'commit' | 'rollback'; txId: number }
  | { id: number; op: 'close' };

/** Every request but `begin` gets exactly one reply with its id. */
export type PostedRequest = Exclude<WireRequest, { op: 'begin' }>;

export type WireReply = { id: number; ok: true; rows?: unknown[] } | { id: number; ok: false; error: WireError; fatal: boolean };

/** An error as plain data: structured clone keeps only an Error's message and stack, not `code`. */
export interface WireError {
  name: string;
  message: string;
  props: Record<string, string | number | boolean | undefined>;
}

/** The first message to the worker, via workerData. */
export interface WorkerStart {
  /** Where PGlite keeps its files; undefined: in memory (tests). */
  pgdata: string | undefined;
  /** Durable commits (db/pglite-durability.ts): plain data, since functions cannot cross threads. */
  sync: boolean;
  /** In memory only: start as a copy of this database instead of running initdb (PgliteOptions.template). */
  template?: Uint8Array<ArrayBuffer>;
}

/**
 * Errors after which the PGlite instance is unusable: a WASM trap or abort, a closed instance,
 * and a failed WAL write. Measured on 0.5.16: after "could not write to file pg_wal/xlogtemp…"
 * (ENOSPC) the next query spins inside WASM forever, blocking its thread (no /healthz, no
 * SIGTERM while it ran on the request thread), even once space is back. PostgreSQL itself PANICs
 * there. A full data file ("could not extend file base/…") is different: PGlite answers later
 * queries normally. Classified inside the worker, where the original error object still exists.
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
 * Keeps what callers read from a PGlite DatabaseError: `code` (isUniqueViolation, isDataException,
 * the storage guard's SQLSTATE checks), `detail`, `constraint`, `severity`… Only primitive fields
 * travel: PGlite also attaches the query's `params`, which may hold secret hashes and are read by
 * nothing, so they stay in the worker.
 */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), props: {} };
  const props: WireError['props'] = {};
  for (const [k, v] of Object.entries(err)) {
    if (k === 'params' || k === 'queryOptions' || k === 'message' || k === 'stack') continue;
    if (v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
  }
  return { name: err.name, message: err.message, props };
}

/** The error again on the request thread, with the caller's stack rather than the worker's. */
export function fromWireError(w: WireError): Error {
  const err = new Error(w.message);
  // PGlite's DatabaseError has its own enumerable `name` (in props); other errors' is inherited.
  if (w.name !== 'Error' && !('name' in w.props)) Object.defineProperty(err, 'name', { value: w.name, enumerable: false, configurable: true, writable: true });
  Object.assign(err, w.props);
  return err;
}
