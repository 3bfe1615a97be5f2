import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { MasterKey } from '../../src/crypto/master-key.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const serverRoot = path.resolve(here, '../..');

/** §9 embedded mode: a data directory that persists, holds its master key, and admits one process. */
describe('embedded data directory', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dd-'));
    db = await createPgliteDb(dir);
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second process opening the same data directory fails at once with a clear message', async () => {
    const script = `
      import { createPgliteDb } from './src/db/pglite-driver.ts';
      try { await createPgliteDb(${JSON.stringify(dir)}); console.log('opened'); process.exit(0); }
      catch (e) { console.error(e.message); process.exit(3); }`;
    const started = Date.now();
    const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: serverRoot })
      .then(() => ({ code: 0, stderr: '' }))
      .catch((e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/is in use by process \d+/);
    expect(result.stderr).toMatch(/DATABASE_URL/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('migrations are recorded and safe to run again', async () => {
    const first = await migrate(db);
    expect(first).toContain('001_init.sql');
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toContain('001_init.sql');
  });

  it('data survives a restart, and a lock file left by a dead process decides nothing', async () => {
    await db.query(`INSERT INTO organizations (id, name, created_at) VALUES ('org_01EXAMPLE00000000000000000', 'Persisted', now())`);
    await db.close();
    fs.writeFileSync(path.join(dir, 'gatehouse.lock'), '999999'); // the pid only names a holder; flock(2) decides
    db = await createPgliteDb(dir);
    const rows = await db.query<{ name: string }>('SELECT name FROM organizations');
    expect(rows).toEqual([{ name: 'Persisted' }]);
  });

  it('generates the master key into the data directory with mode 0600, and reuses it', () => {
    const keyDir = path.join(dir, 'keys');
    const a = MasterKey.fromDataDir(keyDir);
    const sealed = a.encrypt('hello', 'ctx');
    expect(fs.statSync(path.join(keyDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(MasterKey.fromDataDir(keyDir).decrypt(sealed, 'ctx').toString()).toBe('hello');
    expect(() => MasterKey.random().decrypt(sealed, 'ctx')).toThrow(/GATEHOUSE_MASTER_KEY/);
    expect(() => a.decrypt(sealed, 'other-context')).toThrow();
  });
});
