import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditStore, toAuditRow } from '../../src/audit/store.js';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createTestDb } from '../support/db.js';

/**
 * The oldest-first export pages by (transaction, id) on both drivers (the same SQL on PGlite and
 * PostgreSQL), and a cursor issued before that (a bare id) still resumes right after its event.
 */
describe('audit export order', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const event = (orgId: string, at: Date) =>
    toAuditRow({ orgId, action: 'organization.rename', outcome: 'success', actor: { type: 'system' } }, { ip: '' }, at);

  it('returns every committed event once, oldest transaction first, and resumes from old and new cursors', async () => {
    const orgId = 'org_export';
    const at = new Date('2026-06-01T12:00:00Z');
    // Three transactions; the first writes the two highest ids, so id order and commit order differ.
    const low = [event(orgId, at), event(orgId, at)];
    const high = [event(orgId, at), event(orgId, at)];
    expect(high[0]!.id > low[1]!.id).toBe(true);
    await db.transaction((tx) => auditStore.insert(tx, high));
    await db.transaction((tx) => auditStore.insert(tx, low));
    await auditStore.insertGrants(db, [event(orgId, at)]);

    const all = await auditStore.list(db, { orgId, order: 'asc', after: null, limit: 100 });
    expect(all).toHaveLength(5);
    // Commit order first (the first transaction holds the two highest ids), id order within one.
    expect(all.slice(0, 4).map((e) => e.id)).toEqual([...high, ...low].map((r) => r.id));
    const positions = all.map((e) => e.position);
    expect(positions.every((p) => /^\d+:evt_/.test(p))).toBe(true);

    // Page by the new cursor: nothing skipped, nothing repeated.
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await auditStore.list(db, { orgId, order: 'asc', after, limit: 2 });
      paged.push(...page.map((e) => e.id));
      if (page.length < 2) break;
      after = page[page.length - 1]!.position;
    }
    expect(paged).toEqual(all.map((e) => e.id));

    // A cursor from before (a bare id) resumes right after that event.
    const resumed = await auditStore.list(db, { orgId, order: 'asc', after: all[1]!.id, limit: 100 });
    expect(resumed.map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
  });
});
