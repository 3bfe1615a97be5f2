import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { DatabaseUnavailableError } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import type { PgliteWorkerDb } from '../../src/db/pglite-worker-client.js';
import { createGatehouse } from '../../src/gatehouse.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const jtiOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

/**
 * [issue 16.1] The worker thread that owns PGlite dies while grants are in flight. Every grant
 * answered 200 was committed (group commit acknowledges after the commit), so its audit row is there
 * after a restart on the same data directory; every other grant is a 503, never an authentication
 * failure; the server is told once (onFatal: main.ts exits 70 for the supervisor).
 */
it('a worker terminated mid-batch under grant load: acknowledged grants survive a restart, the rest are 503, none is 401', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-worker-crash-'));
  dirs.push(dir);
  const { config } = loadConfig({
    GATEHOUSE_DATA_DIR: dir,
    GATEHOUSE_ISSUER: 'http://gatehouse.test',
    GATEHOUSE_ADMIN_EMAIL: 'owner@example.test',
    GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
    GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '100000/100000',
  });
  const fatal: unknown[] = [];
  const gh = await createGatehouse({
    config,
    clock: new ManualClock('2026-06-01T12:00:00Z'),
    passwordCost: { logN: 10, r: 8, p: 1 },
    onFatalDbError: (err) => fatal.push(err),
  });
  const statuses: number[] = [];
  const acknowledged: string[] = [];
  try {
    const signIn = await gh.app.inject({
      method: 'POST',
      url: '/console/api/session',
      payload: { email: 'owner@example.test', password: 'correct horse battery staple' },
    });
    const headers = { cookie: String(signIn.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': signIn.json().csrfToken as string };
    const created = await gh.app.inject({
      method: 'POST',
      url: `/console/api/orgs/${gh.bootstrap!.orgId}/service-accounts`,
      headers,
      payload: { name: 'Load', scopes: ['audit-log:read'] },
    });
    const account = created.json() as { clientId: string; clientSecret: string };
    const grant = async () => {
      const res = await gh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 200) acknowledged.push(jtiOf(res.json().access_token as string));
      else expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    };
    const worker = gh.db as Partial<PgliteWorkerDb>;
    expect(worker.terminateWorker).toBeTypeOf('function');

    // Waves of concurrent grants (each wave is group-committed in batches); the worker dies once
    // some have been acknowledged, while a wave is in flight.
    let terminated: Promise<void> | null = null;
    for (let wave = 0; wave < 30; wave++) {
      const inFlight = Array.from({ length: 25 }, grant);
      if (!terminated && acknowledged.length >= 40) {
        await new Promise((r) => setImmediate(r)); // the wave's audit rows are on their way to the worker
        terminated = worker.terminateWorker!();
      }
      await Promise.all(inFlight);
      if (terminated) break;
    }
    await terminated;

    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]); // never 401 / invalid_client
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(fatal).toHaveLength(1);
    // Later calls fail at once, as a 503.
    await expect(gh.db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    const after = await gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret },
    });
    expect(after.statusCode).toBe(503);
  } finally {
    await gh.close(); // releases the data-directory lock even though the worker is gone
  }

  // The supervisor's restart: the same data directory holds every acknowledged grant.
  const reopened = await createPgliteDb(dir);
  try {
    const rows = await reopened.query<{ target_id: string }>(`SELECT target_id FROM audit_events WHERE action = 'token.grant'`);
    const audited = new Set(rows.map((r) => r.target_id));
    expect(acknowledged.filter((jti) => !audited.has(jti))).toEqual([]);
  } finally {
    await reopened.close();
  }
}, 120_000);
