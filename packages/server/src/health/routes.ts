import type { Db } from '../db/db.js';
import type { App } from '../http/types.js';

/** Liveness (the process answers) and readiness (it can reach its database). `/` is the console (console-ui/). */
export function healthRoutes(app: App, deps: { db: Db; issuer: string; assertFresh: () => void; storage?: { assertWritable(): void } }): void {
  app.get('/healthz', { schema: { tags: ['operations'] }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'] }, logLevel: 'warn' }, async (_req, reply) => {
    try {
      await deps.db.ping();
    } catch {
      return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'the database is unreachable' });
    }
    try {
      deps.assertFresh(); // server mode: the change feed has caught up recently enough to decide access
    } catch {
      return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'the principal change feed is behind' });
    }
    try {
      deps.storage?.assertWritable(); // [R3] embedded mode: the data directory is full or read-only
    } catch {
      return reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'the data directory is full or not writable' });
    }
    return { status: 'ready' };
  });
}
