import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { TEST_DRIVER } from '../support/db.js';

type Kind = 'wal' | 'file' | 'dir';
const run = promisify(execFile);
const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Issue 16 item 4: on the embedded database an acknowledged commit is on disk. The real syncs go
 * through a recorder here (the strace test watches the real system calls).
 */
describe.skipIf(TEST_DRIVER !== 'pglite')('durable commits on the embedded database', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close().catch(() => {});
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(sync: boolean, syncFd: (fd: number, kind: Kind) => void) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-durable-'));
    dirs.push(dir);
    const db = await createPgliteDb(dir, { thread: 'main', durability: { sync, syncFd } });
    dbs.push(db);
    await db.exec('CREATE TABLE grants (id serial PRIMARY KEY, client text NOT NULL)');
    return { db, dir };
  }

  it('syncs the WAL before each commit is acknowledged, one sync per committed batch', async () => {
    const events: Kind[] = [];
    const { db } = await open(true, (fd, kind) => {
      events.push(kind);
      if (kind === 'wal') fs.fdatasyncSync(fd);
    });
    for (let i = 0; i < 20; i++) {
      const before = events.filter((k) => k === 'wal').length;
      await db.transaction(async (tx) => {
        // A batch of grants in one transaction, as group commit writes them.
        for (let j = 0; j < 5; j++) await tx.query('INSERT INTO grants (client) VALUES ($1)', [`sa_${i}_${j}`]);
        // Nothing is synced while the transaction is open: the sync belongs to the commit.
        expect(events.filter((k) => k === 'wal').length).toBe(before);
      });
      // Resolved means acknowledged: the WAL holding the commit record was synced first.
      expect(events.filter((k) => k === 'wal').length).toBe(before + 1);
    }
    // A single write statement outside a transaction commits, and syncs, too.
    const before = events.filter((k) => k === 'wal').length;
    await db.query('INSERT INTO grants (client) VALUES ($1)', ['sa_alone']);
    expect(events.filter((k) => k === 'wal').length).toBe(before + 1);
    // A read commits nothing and costs no sync.
    await db.query('SELECT count(*) FROM grants');
    expect(events.filter((k) => k === 'wal').length).toBe(before + 1);
  });

  it('makes the whole data directory durable once it is open (initdb copy, earlier unsynced writes)', async () => {
    const synced: Kind[] = [];
    const { dir } = await open(true, (_fd, kind) => synced.push(kind));
    let files = 0;
    const count = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) count(path.join(d, e.name));
        else files++;
      }
    };
    count(path.join(dir, 'pgdata'));
    expect(synced.filter((k) => k === 'file').length).toBeGreaterThanOrEqual(files - 5); // a few appear after the walk
    expect(synced.filter((k) => k === 'dir').length).toBeGreaterThan(10);
  });

  it('a checkpoint syncs the data files it wrote before the WAL covering them can be recycled', async () => {
    const synced: Kind[] = [];
    const { db } = await open(true, (_fd, kind) => synced.push(kind));
    await db.query("INSERT INTO grants (client) SELECT 'sa_' || g FROM generate_series(1, 2000) g");
    synced.length = 0;
    await db.exec('CHECKPOINT');
    expect(synced.filter((k) => k === 'file').length).toBeGreaterThan(1);
  });

  it('a sync that fails is never acknowledged: the process exits (70) before the commit returns', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-durable-'));
    dirs.push(dir);
    // The real driver in a child process, its WAL sync failing like a dying disk (EIO).
    const script = `
      import { createPgliteDb } from './src/db/pglite-driver.ts';
      let failing = false;
      const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      const db = await createPgliteDb(${JSON.stringify(dir)}, { thread: 'main', durability: { sync: true, syncFd: (fd, kind) => { if (failing && kind === 'wal') throw eio(); } } });
      await db.exec('CREATE TABLE grants (client text)');
      await db.query("INSERT INTO grants VALUES ('sa_before')");
      console.log('first acknowledged');
      failing = true;
      await db.transaction((tx) => tx.query("INSERT INTO grants VALUES ('sa_unsynced')"));
      console.log('second acknowledged');`;
    const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: serverRoot }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.stdout).toContain('first acknowledged');
    expect(result.stdout).not.toContain('second acknowledged');
    expect(result.code).toBe(70);
    expect(result.stderr).toMatch(/could not sync the embedded database to disk \(EIO\)/);
  }, 120_000);

  it('GATEHOUSE_EMBEDDED_SYNC=off (benchmarks only) asks for no sync at all', async () => {
    const synced: Kind[] = [];
    const { db } = await open(false, (_fd, kind) => synced.push(kind));
    await db.transaction((tx) => tx.query('INSERT INTO grants (client) VALUES ($1)', ['sa_unsafe']));
    expect(synced).toEqual([]);
  });
});
