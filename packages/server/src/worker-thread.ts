import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts `name` (a module next to `base`, without extension) in a worker thread. From the build it
 * is the compiled `.js`. From source (tests, tsx) it is TypeScript: a worker thread does not
 * inherit the parent's loader, so a small bootstrap registers tsx's first (Node 20 ignores ESM
 * loader hooks registered inside a worker; tsx's require hook works there).
 */
export function startWorkerThread(base: string, name: string, workerData: unknown): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), { workerData });
  const tsx = createRequire(base).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL(`./${name}.ts`, base));
  const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Items pushed in one turn of the event loop leave as one array on the next (`setImmediate`):
 * both ends of a worker thread's channel batch this way (the embedded database's, the signer's), so a burst of requests costs one message.
 *
 * `maxWaitMs`: a batch whose first item has waited this long leaves at the next push, before the
 * turn ends. The embedded database's thread answers a whole batch of calls in one turn; without
 * this, the first answer waited for the last (20 page reads: ~5 ms), and the request thread, with
 * nothing to send it meanwhile, let the database thread idle between batches (bench:list: ~3,000
 * lists/s with the database thread ~70 % busy; 1.34× with replies leaving every 0.5 ms).
 */
export function turnBatcher<T>(flush: (batch: T[]) => void, maxWaitMs = Infinity): (item: T) => void {
  let outbox: T[] = [];
  let scheduled = false;
  let since = 0;
  // Only a timed batcher reads the clock: the request thread's batchers (signer, database calls) push per grant.
  const timed = maxWaitMs !== Infinity;
  const flushNow = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length) flush(batch);
  };
  return (item) => {
    outbox.push(item);
    if (timed) {
      if (outbox.length === 1) since = performance.now();
      else if (performance.now() - since >= maxWaitMs) return flushNow();
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushNow();
    });
  };
}
