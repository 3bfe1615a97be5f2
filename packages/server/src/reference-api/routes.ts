import type { AccessDecision } from '../access/access-decision.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import type { Cursors } from '../http/cursor.js';
import type { App } from '../http/types.js';

export interface ReferenceApiDeps {
  db: Db;
  cursors: Cursors;
  decision: AccessDecision;
  audit: AuditLog;
  clock: Clock;
}

/** §7: the governance reference API (stub; filled in next). */
export function referenceApiRoutes(_app: App, _deps: ReferenceApiDeps): void {}
