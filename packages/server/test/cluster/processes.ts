import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../support/listening.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN = { email: 'owner@cluster.test', password: 'cluster owner password' };
export const MASTER_KEY = crypto.randomBytes(32).toString('base64');

/** The PostgreSQL the postgres project runs on (vitest.config.ts). */
export function baseUrl(): string {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (!url) throw new Error('cluster tests run in the postgres project only');
  return url;
}

/** A database of its own (LISTEN/NOTIFY and the server's search_path are per database), dropped by `drop`. */
export async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_cluster_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<void>;
}

/**
 * One real Gatehouse process (the source through tsx, so no build is needed) on `databaseUrl`.
 * Every instance shares the issuer, as instances behind one load balancer do.
 */
export function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer({ DATABASE_URL: databaseUrl, GATEHOUSE_MASTER_KEY: MASTER_KEY, ...env });
}

/** The same on the embedded database in `dataDir` (its own master.key there), one process as always. */
export function startEmbeddedServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer({ GATEHOUSE_DATA_DIR: dataDir, ...env });
}

async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      GATEHOUSE_ISSUER: 'http://gatehouse.cluster.test',
      GATEHOUSE_ADMIN_EMAIL: ADMIN.email,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
      GATEHOUSE_LOG_LEVEL: 'warn',
      GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '100000/100000',
      GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '100000/100000',
      // One process per instance unless a test asks for workers (workers.test.ts): these tests are
      // about instances, and the default would otherwise follow the machine's CPU count.
      GATEHOUSE_WORKERS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A console session against one instance (cookie + CSRF), as the web UI holds one. */
export async function consoleSession(url: string, email = ADMIN.email, password = ADMIN.password) {
  const res = await fetch(`${url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string; memberships: Array<{ orgId: string }>; user: { id: string } };
  const call = async (method: string, p: string, payload?: unknown) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': body.csrfToken, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  return { orgId: body.memberships[0]!.orgId, userId: body.user.id, call };
}

export async function token(url: string, body: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const r = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, string> };
}

/** Milliseconds until `check` holds, polling every 5 ms; throws after `limitMs`. */
export async function msUntil(check: () => Promise<boolean>, limitMs = 5000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`did not happen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
