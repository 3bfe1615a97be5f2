import { startWorkerThread, turnBatcher } from '../worker-thread.js';
import { DatabaseUnavailableError, type Db, type Queryable } from './db.js';
import { fromWireError, type PostedRequest, type WireError, type WireReply, type WireRequest, type WorkerStart } from './pglite-wire.js';

export interface PgliteWorkerOptions {
  /** Called once when the worker's PGlite can no longer be trusted, or the worker is gone. */
  onFatal?: (err: unknown) => void;
  /** Sync each commit to disk before acknowledging it (db/pglite-durability.ts); default true. */
  sync?: boolean;
  /** In memory only: start as a copy of this database (PgliteOptions.template). */
  template?: Uint8Array<ArrayBuffer>;
}

export interface PgliteWorkerDb extends Db {
  /** Tests only: ends the worker thread abruptly, as a crash would (what onFatal and callers then see). */
  terminateWorker(): Promise<void>;
}

type Call = PostedRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
interface Pending {
  resolve: (rows: unknown[] | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * [issue 16.1] The request thread's side of the embedded database: the `Db` interface over a
 * worker thread that owns PGlite (db/pglite-worker.ts). Calls made in one event-loop turn are
 * posted as one array. A worker that dies or reports a fatal PGlite error fails every in-flight and
 * later call with DatabaseUnavailableError (503, never an auth failure) and calls onFatal once;
 * it is not restarted: whether an in-flight commit landed is unknown, and only a fresh process
 * (which re-reads everything from the data directory) is sure to answer from the truth.
 */
export async function startPgliteWorker(pgdata: string | undefined, options: PgliteWorkerOptions = {}): Promise<PgliteWorkerDb> {
  const start: WorkerStart = { pgdata, sync: options.sync ?? true, template: options.template };
  const worker = startWorkerThread(import.meta.url, 'pglite-worker', start);
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the embedded database's worker exited with code ${code} while starting`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: { ready: boolean; error?: WireError }) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (m.ready) resolve();
      else reject(fromWireError(m.error!));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  const pending = new Map<number, Pending>();
  let nextId = 0;
  let nextTx = 0;
  let fatal: unknown = null;
  let closing = false;
  // An idle worker must not keep the process alive (as in-thread PGlite did not); a busy one must.
  worker.unref();

  const markFatal = (cause: unknown) => {
    if (fatal) return;
    fatal = cause;
    const failed = [...pending.values()];
    pending.clear();
    worker.unref();
    for (const p of failed) p.reject(new DatabaseUnavailableError(cause));
    options.onFatal?.(cause);
  };

  worker.on('message', (replies: WireReply[]) => {
    for (const r of replies) {
      const p = pending.get(r.id);
      if (!p) continue;
      pending.delete(r.id);
      if (r.ok) p.resolve(r.rows);
      else {
        const err = fromWireError(r.error);
        if (r.fatal) {
          p.reject(new DatabaseUnavailableError(err));
          markFatal(err);
        } else p.reject(err);
      }
    }
    if (!pending.size) worker.unref();
  });
  worker.on('error', (err) => markFatal(err));
  worker.on('exit', (code) => {
    if (!closing) markFatal(new Error(`the embedded database's worker thread exited (code ${code})`));
  });

  /** A request whose arguments cannot be cloned fails alone, not with its whole batch. */
  const post = (batch: WireRequest[]) => {
    try {
      worker.postMessage(batch);
    } catch (err) {
      if (batch.length === 1) {
        const r = batch[0]!;
        if ('id' in r) settleLocally(r.id, err);
        return;
      }
      for (const r of batch) post([r]);
    }
  };
  const settleLocally = (id: number, err: unknown) => {
    const p = pending.get(id);
    pending.delete(id);
    p?.reject(err);
  };
  // Calls made in this turn of the event loop (every request handled in it) go in one message.
  const send = turnBatcher<WireRequest>((batch) => post(batch));
  const call = (req: Call): Promise<unknown[] | undefined> =>
    new Promise((resolve, reject) => {
      if (fatal) return reject(new DatabaseUnavailableError(fatal));
      const id = ++nextId;
      if (!pending.size) worker.ref();
      pending.set(id, { resolve, reject });
      send({ ...req, id } as WireRequest);
    });

  const queryable = (txId?: number): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      // Structured clone turns a Buffer into a Uint8Array: the worker turns these back.
      const buffers: number[] = [];
      params.forEach((p, i) => {
        if (Buffer.isBuffer(p)) buffers.push(i);
      });
      return (await call({
        op: 'query',
        sql,
        params: params as unknown[],
        buffers: buffers.length ? buffers : null,
        ...(txId === undefined ? {} : { txId }),
      })) as T[];
    },
    async exec(sql: string) {
      await call({ op: 'exec', sql, ...(txId === undefined ? {} : { txId }) });
    },
  });

  return {
    kind: 'pglite',
    ...queryable(),
    async transaction(fn) {
      if (fatal) throw new DatabaseUnavailableError(fatal);
      const txId = ++nextTx;
      // No reply: the worker opens it when PGlite is free, and the calls below queue behind it.
      send({ op: 'begin', txId });
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(queryable(txId));
      } catch (err) {
        // As PGlite in-thread: a failed ROLLBACK's error wins, else the caller's.
        await call({ op: 'rollback', txId });
        throw err;
      }
      await call({ op: 'commit', txId });
      return result;
    },
    async ping() {
      await call({ op: 'query', sql: 'SELECT 1', params: [], buffers: null });
    },
    async close() {
      if (closing) return;
      if (!fatal) await call({ op: 'close' }).catch(() => {});
      closing = true;
      // A poisoned PGlite may be spinning inside WASM: terminate() stops it wherever it is.
      await worker.terminate();
    },
    async terminateWorker() {
      await worker.terminate();
    },
  };
}
