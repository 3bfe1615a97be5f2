import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, msUntil, scratchDatabase, startServer, type ServerProcess } from './processes.js';
import { slowProxy } from './slow-proxy.js';
import { dbProxy } from './tcp-proxy.js';

const METRICS_TOKEN = 'workers-test-metrics-token';

/** One request on a connection of its own (no keep-alive pool): the cluster picks a worker for each. */
function fresh(
  url: string,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${p}`,
      { method, agent: false, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${method} ${p} within 15 s`)));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** The primary's node children (tsx also runs an esbuild service under it). */
async function workerPids(primary: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,comm=', '--ppid', String(primary)]).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'node')
    .map(([pid]) => Number(pid));
}

async function metrics(url: string): Promise<string> {
  const res = await fresh(url, 'GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
  expect(res.status).toBe(200);
  return res.text;
}

/** `gatehouse_worker_connections_total` per worker id. */
const connectionsPerWorker = (text: string): Map<string, number> =>
  new Map([...text.matchAll(/^gatehouse_worker_connections_total\{worker="(\d+)"\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));

/** The owner's console, each call on a fresh connection: a killed worker takes no pooled connection with it. */
async function owner(url: string) {
  const res = await fresh(url, 'POST', '/console/api/session', ADMIN);
  expect(res.status).toBe(200);
  const cookie = String(res.headers['set-cookie']?.[0]).split(';')[0]!;
  const session = JSON.parse(res.text) as { csrfToken: string; memberships: Array<{ orgId: string }> };
  const orgId = session.memberships[0]!.orgId;
  return {
    orgId,
    call: async (method: string, p: string, payload?: unknown) => {
      const r = await fresh(url, method, p, payload, { cookie, 'x-csrf-token': session.csrfToken });
      return { status: r.status, json: r.text ? JSON.parse(r.text) : null };
    },
  };
}

/** Issue 16 item 2: GATEHOUSE_WORKERS=2 on PostgreSQL, a primary and two workers on one port. */
describe('GATEHOUSE_WORKERS=2', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  let server: ServerProcess;
  let gh: Awaited<ReturnType<typeof owner>>;

  beforeAll(async () => {
    db = await scratchDatabase();
    const u = new URL(db.url);
    proxy = await slowProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.host = `127.0.0.1:${proxy.port}`;
    server = await startServer(u.toString(), {
      GATEHOUSE_WORKERS: '2',
      GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN,
      GATEHOUSE_LOG_LEVEL: 'info',
      // The feed's safety-net poll, slow: with NOTIFYs delayed (slowProxy), the feed cannot be what
      // carries a disable to the sibling before the next call.
      GATEHOUSE_STATE_POLL_MS: '5000',
      GATEHOUSE_STATE_STALE_MS: '60000',
    });
    await msUntil(async () => server.output().includes('Gatehouse is ready with 2 workers'), 60_000);
    gh = await owner(server.url);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await db?.drop();
  });

  const createAccount = async () => {
    const res = await gh.call('POST', `/console/api/orgs/${gh.orgId}/service-accounts`, { name: 'workers test', scopes: ['audit-log:read'] });
    expect(res.status).toBe(201);
    return res.json as { clientId: string; clientSecret: string };
  };
  const grant = (sa: { clientId: string; clientSecret: string }) =>
    fresh(server.url, 'POST', '/api/v1/auth/token', { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
  const validate = (accessToken: string) => fresh(server.url, 'GET', '/api/v1/auth/validate', undefined, { authorization: `Bearer ${accessToken}` });

  it('serves from two worker processes: connections land on both, and /metrics counts them all', async () => {
    expect(await workerPids(server.child.pid!)).toHaveLength(2);
    const before = connectionsPerWorker(await metrics(server.url));
    const sa = await createAccount();
    for (let i = 0; i < 20; i++) expect((await grant(sa)).status).toBe(200);
    const text = await metrics(server.url);
    const after = connectionsPerWorker(text);
    expect(after.size).toBe(2);
    for (const [worker, n] of after) expect(n - (before.get(worker) ?? 0), `worker ${worker}`).toBeGreaterThan(0);
    // Aggregated: whichever worker answered the scrape, every worker's grants are in it.
    expect(Number(/^gatehouse_token_requests_total\{[^}]*outcome="granted"[^}]*\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(20);
    // Each log line says which worker wrote it.
    expect(server.output()).toMatch(/"worker":1,/);
    expect(server.output()).toMatch(/"worker":2,/);
  });

  it('a disable made through one connection is refused at the very next call on every other connection', async () => {
    for (let round = 0; round < 3; round++) {
      const sa = await createAccount();
      const token = JSON.parse((await grant(sa)).text).access_token as string;
      // Every worker has the account cached as enabled.
      expect((await Promise.all(Array.from({ length: 8 }, () => validate(token)))).map((r) => r.status)).toEqual(Array(8).fill(200));
      // NOTIFYs arrive late: the change feed now takes longer than the next call.
      proxy.setDelay(300);
      const disabled = await gh.call('POST', `/console/api/orgs/${gh.orgId}/service-accounts/${sa.clientId}/disable`);
      expect(disabled.status).toBe(200);
      // No waiting, no retry: eight fresh connections at once, spread over both workers.
      const after = await Promise.all(Array.from({ length: 8 }, () => validate(token)));
      proxy.setDelay(0);
      expect(after.map((r) => r.status)).toEqual(Array(8).fill(401));
      const refused = await Promise.all(Array.from({ length: 4 }, () => grant(sa)));
      expect(refused.map((r) => JSON.parse(r.text).error)).toEqual(Array(4).fill('invalid_client'));
    }
  });

  it('a worker killed with SIGKILL is replaced and service continues', async () => {
    const sa = await createAccount();
    const [victim, survivor] = await workerPids(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary knows (a connection handed to the worker as it died is lost with it: README),
    // the survivor serves meanwhile.
    await msUntil(async () => /"signal":"SIGKILL".*"msg":"worker exited unexpectedly"/.test(server.output()), 10_000);
    expect((await grant(sa)).status).toBe(200);
    await msUntil(async () => {
      const pids = await workerPids(server.child.pid!);
      return pids.length === 2 && !pids.includes(victim!) && pids.includes(survivor!);
    }, 30_000);
    await msUntil(async () => /worker replaced and serving/.test(server.output()), 60_000);
    for (let i = 0; i < 10; i++) expect((await grant(sa)).status).toBe(200);
    // Both the survivor and the replacement took connections (the victim's counts left with it).
    expect(connectionsPerWorker(await metrics(server.url)).size).toBe(2);
  }, 90_000);

  it('SIGTERM to the primary lets a request in flight finish, then every worker exits and the primary exits 0', async () => {
    const workers = await workerPids(server.child.pid!);
    const sa = await createAccount();
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
    // A request whose body is still arriving when the signal comes: it is in flight on a worker.
    let answered: (r: { status: number; text: string }) => void = () => {};
    const response = new Promise<{ status: number; text: string }>((r) => {
      answered = r;
    });
    const req = http.request(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => answered({ status: res.statusCode ?? 0, text }));
    });
    req.write(body.slice(0, 20));
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise((r) => server.child.once('exit', (c) => r(c)));
    server.child.kill('SIGTERM');
    await msUntil(async () => /"signal":"primary".*"msg":"shutting down"/.test(server.output()), 10_000);
    req.end(body.slice(20));
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).access_token).toBeTruthy();
    expect(await exited).toBe(0);
    expect(server.output()).toMatch(/every worker has exited/);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('GATEHOUSE_WORKERS: failures', () => {
  it('workers that die at start again and again stop the primary with a non-zero exit, not a restart loop', async () => {
    const db = await scratchDatabase();
    const u = new URL(db.url);
    const proxy = await dbProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.host = `127.0.0.1:${proxy.port}`;
    const server = await startServer(u.toString(), { GATEHOUSE_WORKERS: '2', GATEHOUSE_LOG_LEVEL: 'info', GATEHOUSE_DB_TIMEOUT_MS: '500' });
    try {
      await msUntil(async () => server.output().includes('Gatehouse is ready with 2 workers'), 60_000);
      proxy.cut(); // the database is gone: a new worker cannot start
      const [victim] = await workerPids(server.child.pid!);
      process.kill(victim!, 'SIGKILL');
      const code = await new Promise((r) => server.child.once('exit', (c) => r(c)));
      expect(code).not.toBe(0);
      expect(server.output()).toMatch(/workers keep dying right after they start: stopping/);
      // With a back-off in between, logged.
      expect(server.output()).toMatch(/"delayMs":500,"msg":"restarting a worker"/);
    } finally {
      await server.stop();
      await proxy.close();
      await db.drop();
    }
  }, 240_000);

  it('the embedded database refuses GATEHOUSE_WORKERS=2 at start, saying why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_WORKERS: '2', GATEHOUSE_DATA_DIR: path.join(os.tmpdir(), 'gh-workers-embedded-never-created') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/GATEHOUSE_WORKERS=2 needs DATABASE_URL: the embedded database is one process/);
  });
});
