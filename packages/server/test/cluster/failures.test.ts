import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSession, MASTER_KEY, msUntil, scratchDatabase, startServer, token, type ServerProcess } from './processes.js';
import { dbProxy } from './tcp-proxy.js';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Issue 6 §3: what an outage, a crash mid-rotation and concurrent rotations leave behind. */
describe('failure behaviour on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await scratchDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('database down under load: grants answer 503 (never invalid_client), /readyz fails, decisions fail closed, and service resumes without a restart', async () => {
    const target = new URL(db.url);
    const proxy = await dbProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const server = await startServer(viaProxy.toString(), { GATEHOUSE_STATE_STALE_MS: '1500', GATEHOUSE_STATE_POLL_MS: '200' });
    try {
      const owner = await consoleSession(server.url);
      const sa = (await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: 'outage', scopes: ['audit-log:read'] })).json;
      const grant = () => token(server.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
      const bearer = (await grant()).json.access_token!;
      const validate = () => fetch(`${server.url}/api/v1/auth/validate`, { headers: { authorization: `Bearer ${bearer}` } }).then((r) => r.status);

      // Load: grants in a loop on 8 connections for the whole test; every answer is recorded.
      const seen = new Map<string, number>();
      let loading = true;
      const workers = Array.from({ length: 8 }, async () => {
        while (loading) {
          const r = await grant().catch(() => ({ status: 0, json: { error: 'network' } as Record<string, string> }));
          const key = `${r.status}${r.json.error ? ` ${r.json.error}` : ''}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      proxy.cut();
      await msUntil(async () => (await fetch(`${server.url}/readyz`)).status === 503, 5000);
      // Within the stale bound the cached principal may still answer; after it, every decision is 503.
      expect(await msUntil(async () => (await validate()) === 503, 5000)).toBeLessThan(3000);
      const during = await grant();
      expect(during.status).toBe(503);
      expect(during.json.error).toBe('temporarily_unavailable');
      proxy.restore();
      expect(await msUntil(async () => (await fetch(`${server.url}/readyz`)).status === 200, 10_000)).toBeLessThan(10_000);
      await msUntil(async () => (await grant()).status === 200, 5000);
      expect(await validate()).toBe(200);
      loading = false;
      await Promise.all(workers);
      const outcomes = [...seen.keys()].sort();
      expect(outcomes).toContain('200');
      expect(outcomes).toContain('503 temporarily_unavailable');
      // Never an authentication failure because the database was gone.
      expect(outcomes.filter((k) => !['200', '503 temporarily_unavailable'].includes(k))).toEqual([]);
    } finally {
      await server.stop();
      await proxy.close();
    }
  }, 60_000);

  it('kill -9 at either step of a rotation leaves the old secret alone valid', async () => {
    const server = await startServer(db.url);
    try {
      const owner = await consoleSession(server.url);
      for (const step of ['after-retire', 'after-insert']) {
        const sa = (await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: `crash ${step}`, scopes: ['audit-log:read'] })).json;
        // A child process runs the real rotation and stops dead inside its transaction.
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/rotate-and-hang.ts', sa.clientId, owner.orgId, step], {
          cwd: SERVER_DIR,
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, GATEHOUSE_MASTER_KEY: MASTER_KEY },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          out += d;
        });
        await msUntil(async () => out.includes('PAUSED'), 20_000).catch(() => {
          throw new Error(`child never paused: ${out}`);
        });
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        // The old secret works; the account has exactly one valid secret.
        await msUntil(
          async () => (await token(server.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).status === 200,
          5000,
        );
        const view = await owner.call('GET', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}`);
        expect(view.json.secrets).toHaveLength(1);
        expect(view.json.secrets[0].generation).toBe(1);
      }
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('two instances rotating one account at once serialize: at most two secrets valid, the newest and its predecessor, nothing lost', async () => {
    const [a, b] = await Promise.all([startServer(db.url), startServer(db.url)]);
    try {
      const onA = await consoleSession(a.url);
      const onB = await consoleSession(b.url);
      const sa = (await onA.call('POST', `/console/api/orgs/${onA.orgId}/service-accounts`, { name: 'racing', scopes: ['audit-log:read'] })).json;
      const path = `/console/api/orgs/${onA.orgId}/service-accounts/${sa.clientId}/rotate-secret`;
      const [ra, rb] = await Promise.all([onA.call('POST', path, { graceSeconds: 600 }), onB.call('POST', path, { graceSeconds: 600 })]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      const [first, second] = [ra.json, rb.json].sort((x, y) => x.generation - y.generation);
      expect([first.generation, second.generation]).toEqual([2, 3]);
      const works = async (server: ServerProcess, secret: string) =>
        (await token(server.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: secret })).status === 200;
      for (const server of [a, b]) {
        await msUntil(() => works(server, second.clientSecret), 2000);
        expect(await works(server, first.clientSecret)).toBe(true); // in its grace window
        expect(await works(server, sa.clientSecret)).toBe(false); // the third is gone
      }
      expect((await onA.call('GET', `/console/api/orgs/${onA.orgId}/service-accounts/${sa.clientId}`)).json.secrets).toHaveLength(2);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 90_000);

  it('instances started at once migrate once (advisory lock)', async () => {
    const fresh = await scratchDatabase();
    try {
      const servers = await Promise.all([startServer(fresh.url), startServer(fresh.url), startServer(fresh.url)]);
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/operator/main.ts', 'migrate'], {
        cwd: SERVER_DIR,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: fresh.url, GATEHOUSE_MASTER_KEY: MASTER_KEY },
      });
      expect(stdout.trim()).toBe('the database is up to date');
      const owners = await Promise.all(servers.map(async (s) => (await consoleSession(s.url)).userId));
      expect(new Set(owners).size).toBe(1); // one bootstrap owner, whoever won
      await Promise.all(servers.map((s) => s.stop()));
    } finally {
      await fresh.drop();
    }
  }, 90_000);
});
