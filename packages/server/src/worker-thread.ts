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
 */
export function turnBatcher<T>(flush: (batch: T[]) => void): (item: T) => void {
  let outbox: T[] = [];
  let scheduled = false;
  return (item) => {
    outbox.push(item);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const batch = outbox;
      outbox = [];
      if (batch.length) flush(batch);
    });
  };
}
