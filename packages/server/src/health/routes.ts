import type { Db } from '../db/db.js';
import type { App } from '../http/types.js';

/** Liveness (the process answers) and readiness (it can reach its database). */
export function healthRoutes(app: App, deps: { db: Db }): void {
  app.get('/healthz', { schema: { tags: ['operations'] }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'] }, logLevel: 'warn' }, async (_req, reply) => {
    try {
      await deps.db.ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'the database is unreachable' });
    }
  });
}
