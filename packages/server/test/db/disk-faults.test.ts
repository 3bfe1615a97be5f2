import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../../src/db/db.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

const MB = 1048576;

/** A request that must be refused because storage is unavailable: 503 + Retry-After, never 500 or 401. */
function expectStorage503(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }): void {
  expect(res.statusCode).toBe(503);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
}

const CONTROLS = '/api/v1/governance/controls';

/**
 * [R3] The free-space floor, over HTTP, on both databases. The probe is injected (fault injected at
 * the fs level): the same StorageGuard embedded mode runs on `fs.statfs` of its data directory.
 * test/db/disk-faults-tmpfs.test.ts does it on a real full filesystem.
 */
describe('[R3] a full or read-only data directory answers 503 and recovers without a restart', () => {
  let h: Harness;
  let disk: { freeBytes: number; error: string | null };
  beforeAll(async () => {
    disk = { freeBytes: 10_000 * MB, error: null };
    h = await startHarness({
      env: { GATEHOUSE_MIN_FREE_MB: '64' },
      storageProbe: async () => {
        if (disk.error) throw Object.assign(new Error(`${disk.error}: data directory`), { code: disk.error });
        return { freeBytes: disk.freeBytes };
      },
    });
  });
  afterAll(() => h.close());

  const setDisk = async (state: Partial<typeof disk>) => {
    Object.assign(disk, state);
    await h.gh.services.storage!.check(); // what the once-a-second probe does
  };

  for (const [name, fault] of [
    ['below the free-space floor', { freeBytes: 10 * MB }],
    ['read-only (EROFS)', { error: 'EROFS' }],
    ['over quota (EDQUOT)', { error: 'EDQUOT' }],
  ] as const) {
    it(`${name}: writes 503 + Retry-After, reads go on, /readyz 503, /healthz 200, then it recovers`, async () => {
      const { clientId, clientSecret } = await h.createServiceAccount(['governance.controls:read']);
      const token = await h.accessToken(clientId, clientSecret);
      const { refreshToken } = await h.createRefreshToken();
      const before = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`)).json().items.length;
      expect((await h.gh.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);

      await setDisk(fault);
      // Token grants write their audit row: refused, and never as invalid_client.
      expectStorage503(await h.token(clientId, clientSecret));
      expectStorage503(await h.refresh(refreshToken));
      // Console writes.
      expectStorage503(await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'During the outage', scopes: ['assets:read'] }));
      expectStorage503(await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/disable`));
      // Reads that write nothing go on: a token already held still works, the console still lists.
      expect((await h.api('GET', CONTROLS, token)).statusCode).toBe(200);
      const list = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`);
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toHaveLength(before); // the refused create changed nothing
      expect(list.json().items.find((a: { id: string }) => a.id === clientId).disabled).toBeFalsy();
      const ready = await h.gh.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error).toBe('temporarily_unavailable');
      expect((await h.gh.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      await setDisk({ freeBytes: 10_000 * MB, error: null });
      expect((await h.gh.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect((await h.token(clientId, clientSecret)).statusCode).toBe(200);
      expect((await h.refresh(refreshToken)).statusCode).toBe(200);
      expect(
        (await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'After the outage', scopes: ['assets:read'] })).statusCode,
      ).toBe(201);
      expect((await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).cookie).toBeTruthy();
    });
  }
});

/**
 * The database itself reports the fault (PostgreSQL server mode, or PGlite hitting ENOSPC on a data
 * file). The errors are the drivers' own: the wrapper has the real database raise the SQLSTATE.
 */
function faulty(db: Db): Db & { fail(condition: string | null): void } {
  let condition: string | null = null;
  const writes = /\b(INSERT|UPDATE|DELETE)\b/i;
  const raise = (q: Queryable) =>
    q.exec(`DO $$ BEGIN RAISE EXCEPTION 'could not extend file "base/5/16385": No space left on device' USING ERRCODE = '${condition}'; END $$`);
  const wrap = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      if (condition && writes.test(sql)) await raise(q);
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  return {
    ...db,
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    fail: (c) => {
      condition = c;
    },
  };
}

describe('[R3] storage errors raised by the database answer 503 + Retry-After, never 500 or 401', () => {
  let h: Harness;
  let db: ReturnType<typeof faulty>;
  beforeAll(async () => {
    h = await startHarness({ wrapDb: (raw) => (db = faulty(raw)) });
  });
  afterAll(() => h.close());

  for (const condition of ['disk_full', 'io_error', 'read_only_sql_transaction', 'out_of_memory']) {
    it(`${condition}: grants and console writes are 503, and work again once it clears`, async () => {
      const { clientId, clientSecret } = await h.createServiceAccount(['governance.controls:read']);
      const { refreshToken } = await h.createRefreshToken();
      db.fail(condition);
      expectStorage503(await h.token(clientId, clientSecret));
      expectStorage503(await h.refresh(refreshToken));
      expectStorage503(await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'During the outage', scopes: ['assets:read'] }));
      expectStorage503(await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}`, { name: 'Renamed' }));
      db.fail(null);
      expect((await h.token(clientId, clientSecret)).statusCode).toBe(200);
      expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'After', scopes: ['assets:read'] })).statusCode).toBe(201);
      const names = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`)).json().items.map((a: { name: string }) => a.name);
      expect(names).not.toContain('During the outage');
      expect(names).not.toContain('Renamed');
    });
  }
});
