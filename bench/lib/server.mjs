// Starts the built Gatehouse server (packages/server/dist/main.js) as a child process, exactly as
// `npm start` would run it, on a free 127.0.0.1 port and a fresh temporary data directory, then
// signs in to its console API. Everything it creates is removed by stop(), which is also run on
// SIGINT/SIGTERM and, as a last resort, when this process exits.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(root, 'packages/server/dist/main.js');
const ADMIN = { email: 'bench@example.test', password: 'bench-password-0123' };
// Generous: on a shared 2-core machine under load a cold start (migrations, PGlite) took 33 s.
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
// Every setup call is bounded, so a wedged server fails the run instead of hanging it.
const CALL_TIMEOUT_MS = 10_000;

/**
 * CPU seconds (user + system, all threads) a process and its live children have used so far, from
 * /proc (Linux); null elsewhere. Children count because with GATEHOUSE_WORKERS the primary forks
 * worker processes that do the serving. Shows whether a measurement saturated the server or the
 * load generator.
 */
export function cpuReader(pid) {
  let ticks = 100;
  try {
    ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {}
  const one = (p) => {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticks;
  };
  const child = (p) => {
    try {
      return one(p);
    } catch {
      return 0; // exited between the listing and the read
    }
  };
  return () => {
    try {
      // With GATEHOUSE_WORKERS the work is in the primary's children (the workers): count them too.
      const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return one(pid) + children.reduce((sum, c) => sum + child(c), 0);
    } catch {
      return null;
    }
  };
}

/**
 * Token-endpoint limits raised for a benchmark: one load generator on one address would be refused
 * with 429 within its first second under the defaults (30/1 per client, 300/50 per address), and
 * the failed-authentication buckets are reserved for the length of every attempt, so more than 10
 * grants in flight for one client from one address are refused too (http/rate-limiter.ts).
 */
export const BENCH_RATE_LIMITS = {
  GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000000/1000000',
  GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000000/1000000',
  GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '1000000/1000000',
  GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '1000000/1000000',
};

/** A port nothing listens on now (the kernel's choice; a random one collided with ports in use). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * With BENCH_DATABASE_URL (a PostgreSQL server's URL), the run uses a scratch database created
 * there for the run and dropped after it, instead of the embedded PGlite.
 */
let scratchCount = 0;
async function scratchPostgres() {
  const admin = process.env.BENCH_DATABASE_URL;
  if (!admin) return null;
  const { default: pg } = await import('pg');
  // Per server: a run may start several (BENCH_BASELINE_MAIN compares two builds).
  const name = `gatehouse_bench_${process.pid}_${++scratchCount}`;
  const run = async (sql) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), GATEHOUSE_MASTER_KEY: crypto.randomBytes(32).toString('base64') },
    drop: () => run(`DROP DATABASE IF EXISTS ${name}`),
  };
}

/**
 * @param {object} opts
 * @param {Record<string,string>} [opts.env] extra environment for the server (rate limits)
 * @param {string} [opts.profileDir] when set, the server runs under `node --cpu-prof` writing there
 * @param {string} [opts.main] the script to run instead of dist/main.js (serve-with-catalogue.mjs)
 * @param {Record<string,string>} [opts.sharedDatabase] DATABASE_URL and GATEHOUSE_MASTER_KEY of a
 *   database another instance already uses (several instances on one database); not dropped here
 * @param {boolean} [opts.embedded] PGlite even when BENCH_DATABASE_URL is set (a run comparing both)
 */
export { scratchPostgres };

export async function startServer({ env = {}, profileDir, sharedDatabase, embedded = false, main = MAIN } = {}) {
  if (!fs.existsSync(MAIN)) throw new Error(`${path.relative(root, MAIN)} is missing: run \`npm run build\` (npm run bench does it first)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const postgres = sharedDatabase ? { env: sharedDatabase, drop: async () => {} } : embedded ? null : await scratchPostgres();
  const workers = postgres ? process.env.GATEHOUSE_WORKERS : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: root,
    // A clean environment: the server refuses unknown GATEHOUSE_* variables, and a developer's own
    // settings (DATABASE_URL, a data dir) must not leak into the run.
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      GATEHOUSE_HOST: '127.0.0.1',
      GATEHOUSE_ISSUER: url,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
      GATEHOUSE_LOG_LEVEL: 'warn',
      // Worker processes in server mode (issue 16 item 2), only when asked for (a build without the
      // setting refuses unknown GATEHOUSE_* variables) and only on PostgreSQL (embedded is one process).
      ...(workers ? { GATEHOUSE_WORKERS: workers } : {}),
      ...postgres?.env,
      ...env,
    },
    // stdout carries only the one-time bootstrap banner; stderr (warnings, crashes) is shown.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  // If this process dies without running stop() (an uncaught throw), do not leave a server behind.
  const lastResort = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', lastResort);

  let stopped = null;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM lets the server drain its audit queue and close PGlite (and write a CPU profile).
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.removeListener('exit', lastResort);
      await postgres?.drop();
    })());

  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited during start-up with code ${child.exitCode} (its stderr is above)`);
      const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the server was not ready (GET /readyz) within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const session = await signIn(url);
    return {
      url,
      stop,
      pid: child.pid,
      profileDir,
      cpuSeconds: cpuReader(child.pid),
      database: (postgres ? 'PostgreSQL (scratch database)' : 'embedded PGlite (fresh temporary data dir)') + (workers ? `, GATEHOUSE_WORKERS=${workers}` : ''),
      dataDir,
      ...session,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** POST /console/api/session → session cookie + CSRF token; the org comes from /console/api/me. */
async function signIn(url) {
  const res = await fetch(`${url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`console sign-in failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = await res.json();
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie || !csrfToken) throw new Error('console sign-in returned no session cookie or CSRF token');

  const consoleCall = async (method, p, payload) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!r.ok) throw new Error(`${method} ${p} failed: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const me = await consoleCall('GET', '/console/api/me');
  const orgId = me.memberships?.[0]?.orgId;
  if (!orgId) throw new Error(`GET /console/api/me lists no organization: ${JSON.stringify(me)}`);
  return { orgId, consoleCall };
}

/** One client-credentials grant (JSON body, client_secret_post), outside the measurement. */
export async function grantToken(url, body) {
  const r = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  if (!r.ok) throw new Error(`POST /api/v1/auth/token failed: ${r.status} ${await r.text()}`);
  const { access_token: token } = await r.json();
  if (!token) throw new Error('POST /api/v1/auth/token returned no access_token');
  return token;
}
