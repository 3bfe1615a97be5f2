import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DRIVER } from '../support/db.js';

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A contender: loads the lock code, says `ready`, tries the lock when told `go` on stdin, says
 * `won` (then holds it until its stdin closes) or exits 3 with the lock error on stderr.
 */
const contenderScript = (dir: string) => `
  import { lockDataDir } from './src/db/data-dir-lock.ts';
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    try {
      await lockDataDir(${JSON.stringify(dir)});
      process.stdout.write('won\\n');
      process.stdin.on('end', () => process.exit(0)).resume();
    } catch (e) { process.stderr.write(e.message); process.exit(3); }
  });`;

interface Contender {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  /** 'won' once it holds the lock, or its exit code and stderr when it gave up. */
  outcome: Promise<{ won: true } | { won: false; code: number | null; stderr: string }>;
}

function contender(dir: string, prefix: string[] = []): Contender {
  const argv = [...prefix, process.execPath, '--import', 'tsx', '--input-type=module', '-e', contenderScript(dir)];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: serverRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`contender exited ${code} before ready: ${err}`)));
  });
  const outcome = new Promise<{ won: true } | { won: false; code: number | null; stderr: string }>((resolve) => {
    child.stdout.on('data', () => {
      if (out.includes('won\n')) resolve({ won: true });
    });
    child.on('exit', (code) => resolve({ won: false, code, stderr: err }));
  });
  return { child, ready, outcome };
}

const exited = (c: Contender) =>
  new Promise<number | null>((resolve) => {
    if (c.child.exitCode !== null || c.child.signalCode !== null) resolve(c.child.exitCode);
    else c.child.on('exit', (code) => resolve(code));
  });

/** Starts `n` contenders, releases them at the same instant, and reports who won. */
async function race(dir: string, n: number, prefix: string[] = []): Promise<{ winners: Contender[]; losers: Array<{ code: number | null; stderr: string }> }> {
  const all = Array.from({ length: n }, () => contender(dir, prefix));
  await Promise.all(all.map((c) => c.ready));
  for (const c of all) c.child.stdin.write('go\n');
  const outcomes = await Promise.all(all.map((c) => c.outcome));
  return {
    winners: all.filter((_, i) => outcomes[i]!.won),
    losers: outcomes.flatMap((o) => (o.won ? [] : [{ code: o.code, stderr: o.stderr }])),
  };
}

const unshareWorks = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

/** §9: the embedded data directory admits one process, decided by the kernel (flock(2)), not a pid file. */
// Embedded mode only, whichever project runs this file: once (PGlite project) is enough.
describe.skipIf(TEST_DRIVER !== 'pglite')('data-directory lock', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lock-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('four processes started at once on one directory: exactly one wins, every round', async () => {
    for (let round = 0; round < 4; round++) {
      const { winners, losers } = await race(dir, 4);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(3);
      for (const l of losers) {
        expect(l.code).toBe(3);
        expect(l.stderr).toMatch(/is in use by process \d+: the embedded database \(PGlite\) allows one process at a time.*DATABASE_URL/);
      }
      winners[0]!.child.stdin.end();
      expect(await exited(winners[0]!)).toBe(0);
    }
  }, 120_000);

  it('a holder killed with SIGKILL leaves no lock behind: the next start succeeds', async () => {
    const holder = contender(dir);
    await holder.ready;
    holder.child.stdin.write('go\n');
    expect(await holder.outcome).toEqual({ won: true });
    holder.child.kill('SIGKILL');
    await exited(holder);
    const { winners, losers } = await race(dir, 1);
    expect(losers).toEqual([]);
    winners[0]!.child.stdin.end();
    await exited(winners[0]!);
  }, 60_000);

  // Two containers on one volume: each process is pid 1 in its own PID namespace, which fooled the pid file.
  it.skipIf(!unshareWorks)(
    'two processes in different PID namespaces on one directory: exactly one starts',
    async () => {
      const first = contender(dir, ['unshare', '--pid', '--fork']);
      await first.ready;
      first.child.stdin.write('go\n');
      expect(await first.outcome).toEqual({ won: true });
      const second = contender(dir, ['unshare', '--pid', '--fork']);
      await second.ready;
      second.child.stdin.write('go\n');
      const lost = await second.outcome;
      expect(lost).toMatchObject({ won: false, code: 3 });
      expect((lost as { stderr: string }).stderr).toMatch(/is in use by process 1:/); // its pid in its own namespace
      first.child.stdin.end();
      await exited(first);
    },
    60_000,
  );
});
