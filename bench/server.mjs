// Starts the built Gatehouse server as a child process on a fresh embedded data directory, and
// signs in to its console API. Everything stays on 127.0.0.1 and is removed at the end.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN = { email: 'bench@example.test', password: 'bench-password-0123' };

async function freePort() {
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
async function scratchPostgres() {
  const admin = process.env.BENCH_DATABASE_URL;
  if (!admin) return null;
  const { default: pg } = await import('pg');
  const name = `gatehouse_bench_${process.pid}`;
  const run = async (sql) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), GATEHOUSE_MASTER_KEY: crypto.randomBytes(32).toString('base64') },
    drop: () => run(`DROP DATABASE IF EXISTS ${name}`),
  };
}

export async function startServer(extraEnv = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const postgres = await scratchPostgres();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(root, 'packages/server/dist/main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      GATEHOUSE_ISSUER: url,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
      GATEHOUSE_LOG_LEVEL: 'warn',
      ...postgres?.env,
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    await postgres?.drop();
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { url, stop, database: postgres ? 'PostgreSQL' : 'embedded PGlite', ...(await signIn(url)) };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error('server did not become ready in 20 s');
}

async function signIn(url) {
  const res = await fetch(`${url}/console/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const body = await res.json();
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const consoleCall = async (method, p, payload) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': body.csrfToken, 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (!r.ok) throw new Error(`${method} ${p} failed: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return { orgId: body.memberships[0].orgId, consoleCall };
}
