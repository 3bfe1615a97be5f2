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
