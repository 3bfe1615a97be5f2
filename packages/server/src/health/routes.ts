import type { Db } from '../db/db.js';
import type { App } from '../http/types.js';

export interface HealthDeps {
  db: Db;
  issuer: string;
  assertFresh: () => void;
  /** How long each readiness check may take before the instance counts as not ready. */
  probeTimeoutMs: number;
  /** [R3] Embedded mode: the free-space floor of the data directory. */
  storage?: { assertWritable(): void };
}

/** Resolves with the check's outcome, or `false` once `ms` have passed: a hung database is not ready. */
async function within(ms: number, check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      check().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A bounded write: reads can work while writes hang (a lock, a full disk, a lost synchronous
 * standby), and an instance that cannot write cannot grant (every grant is audited).
 */
const probeWrite = (db: Db, timeoutMs: number) =>
  db.transaction(async (tx) => {
    await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await tx.query('UPDATE readiness_probe SET probed_at = now() WHERE id = 1');
  });

/** Liveness (the process answers) and readiness (it can reach its database). `/` is the console (console-ui/). */
export function healthRoutes(app: App, deps: HealthDeps): void {
  const unavailable = (description: string) => ({ error: 'temporarily_unavailable', error_description: description });
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness: the process answers' }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'Readiness: the database answers and state is fresh' }, logLevel: 'warn' },
    async (_req, reply) => {
      if (!(await within(deps.probeTimeoutMs, () => deps.db.ping()))) {
        return reply.code(503).send(unavailable('the database is unreachable'));
      }
      try {
        deps.storage?.assertWritable(); // [R3] embedded mode: the data directory is full or read-only
      } catch {
        return reply.code(503).send(unavailable('the data directory is full or not writable'));
      }
      if (!(await within(deps.probeTimeoutMs, () => probeWrite(deps.db, deps.probeTimeoutMs)))) {
        return reply.code(503).send(unavailable('the database does not accept writes'));
      }
      try {
        deps.assertFresh(); // server mode: the change feed has caught up recently enough to decide access
      } catch {
        return reply.code(503).send(unavailable('the principal change feed is behind'));
      }
      try {
        deps.storage?.assertWritable(); // [R3] embedded mode: the data directory is full or read-only
      } catch {
        return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'the data directory is full or not writable' });
      }
      return { status: 'ready' };
    },
  );
}
