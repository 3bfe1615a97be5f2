import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/crypto/master-key.js';
import type { Db } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { TEST_DRIVER } from '../support/db.js';
import { startHarness } from '../support/harness.js';
import { startReceiver, verify } from './receiver.js';

/** A database that outlives a server: a PGlite data directory, or a PostgreSQL schema. */
async function durableDb(): Promise<{ open(): Promise<Db>; drop(): Promise<void> }> {
  if (TEST_DRIVER === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-restart-'));
    return { open: () => createPgliteDb(dir), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL!;
  const schema = `gh_restart_${crypto.randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`CREATE SCHEMA ${schema}`);
  return { open: async () => createPgDb({ connectionString: url, schema, max: 5 }), drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

/** The harness's own fresh database is closed unused; the server gets the durable one. */
const swap = (fresh: Db, durable: Db): Db => {
  void fresh.close();
  return durable;
};

describe('[E3] the outbox is durable', () => {
  it('an event committed before a restart is delivered after it', async () => {
    const rx = await startReceiver();
    const store = await durableDb();
    const masterKey = MasterKey.random();
    const env = { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
    const reopened: { first: Db; second: Db | null } = { first: await store.open(), second: null };
    const first = await startHarness({ env, masterKey, wrapDb: (fresh) => swap(fresh, reopened.first) });
    let secret = '';
    try {
      // This server never delivers: its worker is stopped before the event commits.
      await first.gh.services.deliveries.stop();
      const sa = await first.createServiceAccount(['webhooks:manage', 'governance.findings:read', 'governance.findings:write']);
      const t = await first.accessToken(sa.clientId, sa.clientSecret);
      const hook = await first.api('POST', '/api/v1/webhooks', t, { url: rx.url, events: ['finding.created'] });
      secret = hook.json().secret;
      expect((await first.api('POST', '/api/v1/governance/findings', t, { title: 'before restart' })).statusCode).toBe(201);
      expect(await first.gh.db.query('SELECT status FROM webhook_deliveries')).toEqual([{ status: 'pending' }]);
    } finally {
      await first.close();
    }
    expect(rx.received).toHaveLength(0);

    reopened.second = await store.open();
    const second = await startHarness({ env, masterKey, clock: first.clock, wrapDb: (fresh) => swap(fresh, reopened.second!) });
    try {
      await expect.poll(() => rx.received.length, { timeout: 5_000 }).toBe(1);
      expect(verify(secret, rx.received[0]!, second.clock.now())).toMatchObject({ type: 'finding.created' });
    } finally {
      await second.close();
      await store.drop();
      await rx.close();
    }
  }, 180_000); // two starts on a file-backed PGlite data directory are slow on a loaded machine
});
