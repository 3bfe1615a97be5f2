import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/events.js';
import { auditStore, toAuditRow } from '../../src/audit/store.js';
import type { Db } from '../../src/db/db.js';
import { EmbeddedVacuum } from '../../src/db/embedded-vacuum.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';

/**
 * PGlite has no autovacuum: without the embedded server's own VACUUM, the room of deleted audit
 * events (retention) is never reused and the data directory grows while retention deletes.
 * Embedded only (PostgreSQL vacuums itself), so this file runs in the pglite project alone.
 */
describe('embedded vacuum', () => {
  let db: Db;
  const event: AuditEvent = {
    orgId: null,
    action: 'token.grant',
    outcome: 'success',
    actor: { type: 'service_account', id: 'svc_vacuum', name: 'vacuum' },
    detail: { grantType: 'client_credentials', scope: 'audit-log:read' },
  };
  const write = async (n: number) => {
    for (let i = 0; i < n; i += 500)
      await auditStore.insert(
        db,
        Array.from({ length: 500 }, () => toAuditRow(event, { ip: '192.0.2.1' }, new Date())),
      );
  };
  const heapBytes = async () => Number((await db.query<{ n: string }>("SELECT pg_relation_size('audit_events') AS n"))[0]!.n);

  beforeAll(async () => {
    db = await createPgliteDb();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a pass makes the room of deleted audit events reusable: deleting and writing as many again does not grow the table', async () => {
    await write(5_000);
    const full = await heapBytes();
    await db.query('DELETE FROM audit_events');
    await new EmbeddedVacuum(db).run();
    await write(5_000);
    expect(await heapBytes()).toBeLessThanOrEqual(full * 1.1);
  });

  it('runs on its own once started, and says how long each pass took', async () => {
    const passes: Array<{ ms: number } | { error: unknown }> = [];
    const vacuum = new EmbeddedVacuum(db, { firstMs: 0, everyMs: 60_000, onPass: (o) => passes.push(o) });
    vacuum.start();
    await expect.poll(() => passes.length).toBe(1);
    await vacuum.stop();
    expect(passes[0]).toEqual({ ms: expect.any(Number) });
  });
});
