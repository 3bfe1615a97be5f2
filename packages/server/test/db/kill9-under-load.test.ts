import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { consoleSession, startEmbeddedServer, type ServerProcess } from '../cluster/processes.js';

const dirs: string[] = [];
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill9()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const jtiOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

interface Load {
  /** Resolves once `target` grants have been answered 200 in this run. */
  reached: Promise<void>;
  /** Resolves when every client has stopped (its connection refused or cut). */
  done: Promise<void>;
}

/**
 * `clients` loops of client-credentials grants, each on until its request fails at the socket:
 * every 200's jti goes to `acknowledged`, any other status to `wrong` (a 401 or a 500 under a
 * crash would be a wrong answer, not a lost one).
 */
function grantLoad(url: string, basic: string, clients: number, target: number, acknowledged: string[], wrong: number[]): Load {
  let count = 0;
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const loop = async () => {
    for (;;) {
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1/auth/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
      } catch {
        return; // the server is gone: what it had answered is what counts
      }
      const body = await res.text().catch(() => null);
      if (body === null) return;
      if (res.status !== 200) {
        wrong.push(res.status);
        continue;
      }
      acknowledged.push(jtiOf((JSON.parse(body) as { access_token: string }).access_token));
      if (++count === target) reach();
    }
  };
  return { reached, done: Promise.all(Array.from({ length: clients }, loop)).then(() => {}) };
}

/**
 * Issue 16: `kill -9` under grant load, with the embedded database in its own thread. A grant is
 * answered only after the group commit that holds its audit row (and, with durable commits, its
 * WAL sync), so whatever the moment of the kill, every grant that got its 200 is in the audit log
 * when the data directory is opened again. Five kills, each mid-load, each followed by recovery.
 */
describe('kill -9 under grant load, embedded database', () => {
  it('every grant answered 200 before a kill is in the audit log after the restart; none was answered wrongly', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kill9-'));
    dirs.push(dataDir);
    const acknowledged: string[] = [];
    const wrong: number[] = [];
    let basic = '';
    for (let life = 0; life < 5; life++) {
      const server = await startEmbeddedServer(dataDir, {
        GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '100000/100000',
        GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '100000/100000',
      });
      servers.push(server);
      if (!basic) {
        const session = await consoleSession(server.url);
        const created = await session.call('POST', `/console/api/orgs/${session.orgId}/service-accounts`, { name: 'Load', scopes: ['audit-log:read'] });
        expect(created.status).toBe(201);
        const { clientId, clientSecret } = created.json as { clientId: string; clientSecret: string };
        basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      }
      const load = grantLoad(server.url, basic, 32, 100, acknowledged, wrong);
      await load.reached; // 31 more are in flight, in the group commit or behind it
      await server.kill9();
      await load.done;
    }
    expect(wrong).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5 * 100);

    // The data directory as the next start would find it (the killed process left no lock).
    const db = await createPgliteDb(dataDir);
    try {
      const rows = await db.query<{ target_id: string }>("SELECT target_id FROM audit_events WHERE action = 'token.grant' AND target_id = ANY($1::text[])", [
        acknowledged,
      ]);
      const found = new Set(rows.map((r) => r.target_id));
      const missing = acknowledged.filter((jti) => !found.has(jti));
      expect(missing).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
