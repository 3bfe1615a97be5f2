import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { DatabaseUnavailableError } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { createGatehouse } from '../../src/gatehouse.js';
import { mapError } from '../../src/http/error-handler.js';
import { TEST_DRIVER } from '../support/db.js';

const MB = 1048576;

/** A size-limited tmpfs, when this process may mount one (root in CI; refused in most sandboxes). */
function mountTmpfs(sizeMb: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  return dir;
}
const canMount = (() => {
  try {
    const dir = mountTmpfs(1);
    spawnSync('umount', [dir]);
    fs.rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
})();
const freeBytes = (dir: string) => {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
};
/** Fills `dir` until only `leaveMb` is free. */
const fillUntil = (dir: string, leaveMb: number) => execFileSync('fallocate', ['-l', String(freeBytes(dir) - leaveMb * MB), path.join(dir, 'filler')]);

const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) {
    spawnSync('umount', ['-l', dir]); // lazy: a poisoned PGlite still holds its files open
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * [R3] On a real full filesystem (embedded mode only, so the PGlite project; needs mount(2)).
 * The injected-fault tests in disk-faults.test.ts cover both databases everywhere.
 */
describe.skipIf(TEST_DRIVER !== 'pglite' || !canMount)('[R3] embedded PGlite on a real, size-limited filesystem', () => {
  it('below GATEHOUSE_MIN_FREE_MB the server refuses writes with 503 before PGlite hits ENOSPC, and resumes when space returns', async () => {
    const dir = mountTmpfs(96);
    mounts.push(dir);
    const { config } = loadConfig({
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_MIN_FREE_MB: '32',
      GATEHOUSE_ISSUER: 'http://gatehouse.test',
      GATEHOUSE_ADMIN_EMAIL: 'owner@example.test',
      GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
    });
    const gh = await createGatehouse({ config, clock: new ManualClock('2026-06-01T12:00:00Z'), passwordCost: { logN: 10, r: 8, p: 1 } });
    try {
      const signIn = await gh.app.inject({
        method: 'POST',
        url: '/console/api/session',
        payload: { email: 'owner@example.test', password: 'correct horse battery staple' },
      });
      const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
      const headers = { cookie, 'x-csrf-token': signIn.json().csrfToken as string };
      const orgId = gh.bootstrap!.orgId;
      const create = (name: string) =>
        gh.app.inject({ method: 'POST', url: `/console/api/orgs/${orgId}/service-accounts`, headers, payload: { name, scopes: ['assets:read'] } });
      const account = (await create('Before')).json() as { clientId: string; clientSecret: string };
      const grant = () =>
        gh.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret },
        });
      expect((await grant()).statusCode).toBe(200);

      fillUntil(dir, 16); // below the floor, above what PGlite needs to keep going
      await gh.services.storage!.check();
      for (const res of [await grant(), await create('During')]) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.json().error).toBe('temporarily_unavailable');
      }
      expect((await gh.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      expect((await gh.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      fs.rmSync(path.join(dir, 'filler'));
      await gh.services.storage!.check();
      expect((await gh.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect((await grant()).statusCode).toBe(200);
      expect((await create('After')).statusCode).toBe(201);
    } finally {
      await gh.close();
    }
  }, 60_000);

  it('when PGlite cannot write its WAL it is declared dead at once: onFatal, fast 503s instead of a frozen event loop', async () => {
    const dir = mountTmpfs(64);
    mounts.push(dir);
    const fatal: unknown[] = [];
    const db = await createPgliteDb(dir, { onFatal: (err) => fatal.push(err) });
    await db.exec('CREATE TABLE t (id serial PRIMARY KEY, v text)');
    fillUntil(dir, 8); // less than the next 16 MB WAL segment
    let failure: unknown = null;
    for (let i = 0; i < 20_000 && !failure; i++) {
      await db.query(`INSERT INTO t (v) SELECT repeat('y', 500) FROM generate_series(1, 20)`).catch((err: unknown) => {
        failure = err;
      });
    }
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect(mapError(failure, '/api/v1/auth/token').status).toBe(503);
    expect(fatal).toHaveLength(1);
    expect((fatal[0] as Error).message).toMatch(/pg_wal/);

    fs.rmSync(path.join(dir, 'filler'));
    // The next call is the one that used to spin forever inside WASM; now it fails at once.
    const started = Date.now();
    await expect(db.query('SELECT count(*) FROM t')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(db.transaction((tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
    await db.close(); // releases the data-directory lock without touching PGlite

    // A restart (what the supervisor does after the exit) recovers from the WAL.
    const reopened = await createPgliteDb(dir);
    try {
      expect((await reopened.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))[0]!.n).toBeGreaterThan(0);
      await reopened.query(`INSERT INTO t (v) VALUES ('after')`);
    } finally {
      await reopened.close();
    }
  }, 90_000);
});
