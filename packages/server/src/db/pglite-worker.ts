import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { openPglite } from './pglite-durability.js';
import { PLAN_CACHE_MODE, PreparedStatements } from './pglite-prepared.js';
import { turnBatcher } from '../worker-thread.js';
import { isFatalPgliteError, toWireError, type PostedRequest, type WireReply, type WireRequest, type WorkerStart } from './pglite-wire.js';

/**
 * The embedded database's own thread (issue 16 item 1): PGlite's WASM Postgres runs here, so a
 * query no longer stalls HTTP, JSON and signing on the request thread, and the second core works.
 * The request thread (db/pglite-worker-client.ts) sends arrays of calls; calls start in the order
 * they arrive (PGlite runs one at a time, as it did in-thread) and replies go back in arrays.
 */

// Durability (issue 16 item 4) needs no hook here: openPglite (db/pglite-durability.ts) gives this
// thread's PGlite a real fsync, and Postgres syncs the WAL inside COMMIT, before any reply.

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs only as a worker thread');

/**
 * Opens PGlite in this thread. Everything that configures the instance (its filesystem, start
 * parameters, e.g. syncing commits to disk) belongs here, with plain-data options in WorkerStart.
 */
const openLite = async (start: WorkerStart): Promise<PGlite> => {
  const opened = await openPglite(start.pgdata, { sync: start.sync }, start.template);
  await opened.exec(PLAN_CACHE_MODE);
  return opened;
};

// No top-level await: from source (tests) this file is loaded through tsx's require hook.
let lite!: PGlite;
/** Queries run as named prepared statements (db/pglite-prepared.ts). */
let prepared!: PreparedStatements;
openLite(workerData as WorkerStart).then(
  (opened) => {
    lite = opened;
    prepared = new PreparedStatements(opened);
    port.postMessage({ ready: true });
  },
  (err: unknown) => {
    port.postMessage({ ready: false, error: toWireError(err) });
    process.exit(1);
  },
);

/** Set once PGlite can no longer be trusted: nothing calls into it again (that call would spin). */
let fatal: unknown = null;
const never = new Promise<never>(() => {});

/**
 * Replies finished in one turn go back in one message, and at least every half millisecond: the
 * calls of a batch run one after another in one turn, and the first answers should not wait for
 * the last (worker-thread.ts, turnBatcher).
 */
const REPLY_EVERY_MS = 0.5;
const reply = turnBatcher<WireReply>((batch) => port.postMessage(batch), REPLY_EVERY_MS);
const fail = (id: number, err: unknown) => {
  if (!fatal && isFatalPgliteError(err)) fatal = err;
  reply({ id, ok: false, error: toWireError(err), fatal: Boolean(fatal) });
};

/** Structured clone turned the caller's Buffers into Uint8Arrays; PGlite serializes them the same, but `toString` differs. */
const paramsOf = (r: Extract<WireRequest, { op: 'query' }>): unknown[] => {
  if (!r.buffers) return r.params;
  const params = [...r.params];
  for (const i of r.buffers) {
    const u = params[i] as Uint8Array;
    params[i] = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
  return params;
};

type Call = Extract<WireRequest, { op: 'query' | 'exec' }>;
/** `tx`: the open transaction the call belongs to, if any. */
const run = async (tx: Transaction | null, r: Call): Promise<void> => {
  if (fatal) return fail(r.id, fatal);
  try {
    if (r.op === 'query') {
      const { rows } = await prepared.query(r.sql, paramsOf(r), tx);
      reply({ id: r.id, ok: true, rows });
    } else {
      try {
        await (tx ?? lite).exec(r.sql);
      } finally {
        prepared.forgetAll();
      }
      reply({ id: r.id, ok: true });
    }
  } catch (err) {
    fail(r.id, err);
  }
};

/**
 * One open transaction: its calls wait here in order until PGlite grants the transaction, then run
 * one after another inside it until commit or rollback arrives. PGlite's transaction mutex keeps
 * every other call out meanwhile, exactly as in-thread.
 */
interface OpenTx {
  queue: PostedRequest[];
  wake: (() => void) | null;
}
const transactions = new Map<number, OpenTx>();
class Rollback extends Error {}

const next = async (tx: OpenTx): Promise<PostedRequest> => {
  while (!tx.queue.length) await new Promise<void>((r) => (tx.wake = r));
  return tx.queue.shift()!;
};

function begin(txId: number): void {
  const tx: OpenTx = { queue: [], wake: null };
  transactions.set(txId, tx);
  let ending: PostedRequest | null = null;
  const body = async (t: Transaction): Promise<void> => {
    for (;;) {
      const r = await next(tx);
      if (r.op === 'commit' || r.op === 'rollback') {
        ending = r;
        if (r.op === 'rollback') throw new Rollback();
        return;
      }
      if (r.op === 'query' || r.op === 'exec') await run(t, r);
      // Poisoned inside: leave PGlite's transaction pending, because the ROLLBACK it would send next
      // is the call that spins. The client fails every call from here on.
      if (fatal) return never;
    }
  };
  const settle = (err: unknown) => {
    transactions.delete(txId);
    // Calls queued behind a failed BEGIN (or left over) get the error; the ending call its outcome.
    const pending = [...tx.queue];
    const end = ending as PostedRequest | null;
    for (const r of pending) fail(r.id, err ?? new Error('transaction already ended'));
    if (!end) return;
    if (err && !(err instanceof Rollback)) fail(end.id, err);
    else reply({ id: end.id, ok: true });
  };
  if (fatal) {
    settle(fatal);
    return;
  }
  lite.transaction(body).then(
    () => settle(null),
    (err: unknown) => settle(err),
  );
}

port.on('message', (batch: WireRequest[]) => {
  for (const r of batch) {
    if (r.op === 'begin') begin(r.txId);
    else if (r.op === 'close') close(r.id);
    else if (r.txId !== undefined) {
      const tx = transactions.get(r.txId);
      if (!tx) {
        fail(r.id, fatal ?? new Error('transaction is not open'));
        continue;
      }
      tx.queue.push(r);
      tx.wake?.();
      tx.wake = null;
    } else if (r.op === 'query' || r.op === 'exec') void run(null, r);
  }
});

let closing = false;
function close(id: number): void {
  if (closing) return;
  closing = true;
  const done = fatal ? Promise.resolve() : lite.close();
  done.then(
    () => reply({ id, ok: true }),
    (err: unknown) => fail(id, err),
  );
}
