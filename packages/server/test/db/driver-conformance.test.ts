import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, type Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { auditStore, toAuditRow } from '../../src/audit/store.js';
import { serviceAccountStore } from '../../src/service-accounts/store.js';
import { organizationStore } from '../../src/organizations/store.js';
import { createTestDb, TEST_DRIVER } from '../support/db.js';

/**
 * The Db contract both drivers must keep (ARCHITECTURE property 1): this file runs on PGlite and,
 * in the postgres project, on PostgreSQL; the stores above it rely on every line.
 */
describe(`Db driver conformance (${TEST_DRIVER})`, () => {
  let db: Db;
  const at = new Date('2026-03-04T05:06:07.089Z');
  beforeAll(async () => {
    db = await createTestDb();
    await migrate(db);
    await organizationStore.insert(db, { id: 'org_01EXAMPLE00000000000000000', name: 'Conformance', createdAt: at });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('round-trips timestamptz as Date, text[] as arrays, jsonb as objects, and NULL as null', async () => {
    await serviceAccountStore.insert(db, {
      id: 'svc_01EXAMPLE00000000000000001',
      orgId: 'org_01EXAMPLE00000000000000000',
      name: 'rt',
      scopes: ['assets:read', 'audit-log:read'],
      expiresAt: null,
      createdAt: at,
      createdBy: 'usr_x',
      updatedAt: at,
    });
    const a = await serviceAccountStore.find(db, 'svc_01EXAMPLE00000000000000001');
    expect(a).toMatchObject({ scopes: ['assets:read', 'audit-log:read'], expiresAt: null, disabledAt: null, tokenEpoch: 0 });
    expect(a!.createdAt).toBeInstanceOf(Date);
    expect(a!.createdAt.toISOString()).toBe(at.toISOString());
    await auditStore.insert(db, [
      toAuditRow(
        {
          orgId: 'org_01EXAMPLE00000000000000000',
          action: 'organization.rename',
          outcome: 'success',
          actor: { type: 'system' },
          detail: { nested: { n: 1, list: [true, null] } },
        },
        { ip: '' },
        at,
      ),
    ]);
    const [e] = await auditStore.list(db, { orgId: 'org_01EXAMPLE00000000000000000', after: null, order: 'asc', limit: 1 });
    expect(e).toMatchObject({ detail: { nested: { n: 1, list: [true, null] } }, ip: null, target: null, occurredAt: at.toISOString() });
  });

  it('rolls a transaction back when it throws, and commits when it resolves', async () => {
    await expect(
      db.transaction(async (tx) => {
        await organizationStore.insert(tx, { id: 'org_01EXAMPLE00000000000000002', name: 'rolled back', createdAt: at });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query("SELECT id FROM organizations WHERE id = 'org_01EXAMPLE00000000000000002'")).toEqual([]);
    await db.transaction((tx) => organizationStore.insert(tx, { id: 'org_01EXAMPLE00000000000000003', name: 'kept', createdAt: at }));
    expect(await db.query<{ name: string }>("SELECT name FROM organizations WHERE id = 'org_01EXAMPLE00000000000000003'")).toEqual([{ name: 'kept' }]);
  });

  it('keeps one statement atomic: a failing multi-row insert leaves no row', async () => {
    const row = toAuditRow({ orgId: null, action: 'organization.create', outcome: 'success', actor: { type: 'system' } }, { ip: '' }, at);
    await expect(auditStore.insert(db, [row, row])).rejects.toThrow();
    expect(await db.query("SELECT id FROM audit_events WHERE action = 'organization.create' AND org_id IS NULL")).toEqual([]);
  });

  it('runs parameters as values, never as SQL', async () => {
    const evil = "x'); DROP TABLE organizations; --";
    expect(await db.query('SELECT $1::text AS v', [evil])).toEqual([{ v: evil }]);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations'))[0]!.n).toBeGreaterThan(0);
  });
});

describe('pg driver: an unreachable server', () => {
  it('raises DatabaseUnavailableError (answered as 503), for queries and transactions alike', async () => {
    const db = createPgDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(db.ping()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await db.close();
  });
});
