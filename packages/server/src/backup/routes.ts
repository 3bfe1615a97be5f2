import { bearerOrEmpty } from '@gatehouse/access';
import type { Clock } from '../clock.js';
import { safeEqual } from '../crypto/secrets.js';
import type { Db } from '../db/db.js';
import { notFound } from '../errors.js';
import type { App } from '../http/types.js';
import { backupStream } from './backup.js';

/**
 * [R1] `GET /operator/backup`: the running server streams a backup (format.ts). This is how
 * `gatehouse backup` reaches an embedded database, which only this process may open. Guarded like
 * /metrics but by its own GATEHOUSE_BACKUP_TOKEN (a backup is every row, a scrape is counters):
 * unset, it is not served (404); a wrong token is the same 404. Never logged (logLevel warn).
 */
export function backupRoutes(app: App, deps: { db: Db; clock: Clock; token?: string }): void {
  app.get('/operator/backup', { schema: { hide: true }, logLevel: 'warn' }, async (req, reply) => {
    const presented = bearerOrEmpty(req.headers.authorization);
    if (!deps.token || !safeEqual(presented, deps.token)) throw notFound('resource');
    reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', 'attachment; filename="gatehouse-backup.jsonl.gz"')
      .header('cache-control', 'no-store');
    return reply.send(backupStream(deps.db, deps.clock));
  });
}
