import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DRIVER } from '../support/db.js';

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasStrace = spawnSync('strace', ['-V']).status === 0;
if (!hasStrace) console.warn('\n[gatehouse] SKIPPING the strace durability test: strace is not installed (apt-get install strace; CI installs it).\n');

const OWNER = { email: 'owner@example.test', password: 'correct horse battery staple' };
const dirs: string[] = [];
const stops: Array<() => void> = [];
afterAll(() => {
  for (const stop of stops) stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The real server (`src/main.ts`) on a fresh data directory, its file and socket writes traced. */
async function tracedServer(env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-strace-'));
  dirs.push(dir);
  const log = path.join(dir, 'strace.log');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL'));
  // -y names each descriptor's file (or `socket:`); -s 16 is enough to see "HTTP/1.1 200".
  const args = ['-f', '-qq', '-y', '-s', '16', '-o', log, '-e', 'trace=pwrite64,pwritev,write,writev,fsync,fdatasync'];
  const child = spawn('strace', [...args, process.execPath, '--import', 'tsx', 'src/main.ts'], {
    cwd: serverRoot,
    env: {
      ...clean,
      PORT: '0',
      GATEHOUSE_DATA_DIR: path.join(dir, 'data'),
      GATEHOUSE_ADMIN_EMAIL: OWNER.email,
      GATEHOUSE_ADMIN_PASSWORD: OWNER.password,
      GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000/100',
      GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000/100',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m && out.includes('Gatehouse is ready')) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`server exited before ready: ${out}`)));
  });
  // strace blocks fatal signals while it runs a program (-I 3), so the server itself is signalled.
  const serverPid = () => Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
  const stop = async () => {
    process.kill(serverPid(), 'SIGTERM'); // drains and exits; then strace exits too
    await exited;
    return fs.readFileSync(log, 'utf8');
  };
  stops.push(() => {
    if (child.exitCode === null) process.kill(serverPid(), 'SIGKILL');
  });
  return { base: `http://127.0.0.1:${port}`, stop };
}

async function serviceAccount(base: string) {
  const signIn = await fetch(`${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(OWNER),
  });
  const session = (await signIn.json()) as { csrfToken: string; memberships: Array<{ orgId: string }> };
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const res = await fetch(`${base}/console/api/orgs/${session.memberships[0]!.orgId}/service-accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ name: 'Durability probe', scopes: ['governance.findings:read'] }),
  });
  expect(res.status).toBe(201);
  const sa = (await res.json()) as { clientId: string; clientSecret: string };
  return `Basic ${Buffer.from(`${sa.clientId}:${sa.clientSecret}`).toString('base64')}`;
}

async function grant(base: string, basic: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/**
 * Replays the calls in the order strace saw them, across threads (PGlite may run in a worker): a
 * WAL write makes the WAL dirty, a completed sync of a WAL segment cleans it, and a successful HTTP
 * response that starts while it is dirty could acknowledge a commit a power cut would take back.
 */
function replay(trace: string) {
  let dirty = false;
  const seen = { walWrites: 0, walSyncs: 0, responses: 0, okWhileDirty: 0 };
  const pending = new Map<string, { name: string; target: string }>(); // calls split by another thread's
  const done = (name: string, target: string, result: string) => {
    const wal = /\/pg_wal\/[0-9A-F]{24}$/.test(target);
    if (wal && (name === 'fsync' || name === 'fdatasync') && result === '0') {
      seen.walSyncs++;
      dirty = false;
    }
  };
  for (const line of trace.split('\n')) {
    const resumed = /^(\d+) +<\.\.\. (\w+) resumed>.* = (-?\d+)/.exec(line);
    if (resumed) {
      const call = pending.get(resumed[1]!);
      pending.delete(resumed[1]!);
      if (call) done(call.name, call.target, resumed[3]!);
      continue;
    }
    const call = /^(\d+) +(pwrite64|pwritev|write|writev|fsync|fdatasync)\(\d+<([^>]*)>(.*)$/.exec(line);
    if (!call) continue;
    const [, pid, name, target, rest] = call as unknown as [string, string, string, string, string];
    if (/(pwrite64|pwritev)/.test(name) && /\/pg_wal\/[0-9A-F]{24}$/.test(target)) {
      seen.walWrites++;
      dirty = true;
    } else if (/^(socket|TCP):/.test(target) && /"HTTP\/1\.1 2/.test(rest)) {
      seen.responses++;
      if (dirty) seen.okWhileDirty++;
    }
    if (rest.endsWith('<unfinished ...>')) pending.set(pid, { name, target });
    else done(name, target, / = (-?\d+)/.exec(rest)?.[1] ?? '');
  }
  return seen;
}

describe.skipIf(TEST_DRIVER !== 'pglite' || !hasStrace)('durable commits, watched with strace (issue 16 item 4)', () => {
  it('no successful response leaves before the WAL written for it is synced; every grant is synced', async () => {
    const server = await tracedServer({});
    const basic = await serviceAccount(server.base);
    const N = 40;
    for (let i = 0; i < N; i++) await grant(server.base, basic); // one commit each
    await Promise.all(Array.from({ length: N }, () => grant(server.base, basic))); // group commit
    const seen = replay(await server.stop());
    expect(seen.responses).toBeGreaterThanOrEqual(2 * N);
    // Each sequential grant is its own commit, so its own sync; the concurrent ones share batches.
    expect(seen.walSyncs).toBeGreaterThanOrEqual(N);
    expect(seen.walWrites).toBeGreaterThanOrEqual(N);
    expect(seen.okWhileDirty).toBe(0);
  }, 180_000);
});
