import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { MasterKey } from '../../src/crypto/master-key.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.js';
import { MASTER_KEY, msUntil, scratchDatabase } from './processes.js';

/**
 * The change log's ids are taken when a row is written but become visible at commit, so a slow
 * transaction's change can appear below ids an instance has already read. The feed re-reads a
 * window behind its cursor; this test holds a transaction open across a later, committed change.
 */
describe('change feed: a change committed out of id order is still applied', () => {
  let db: { url: string; drop(): Promise<void> };
  let gh: Gatehouse;
  beforeAll(async () => {
    db = await scratchDatabase();
    const { config } = loadConfig({
      DATABASE_URL: db.url,
      GATEHOUSE_MASTER_KEY: MASTER_KEY,
      GATEHOUSE_ISSUER: 'http://feed.test',
      GATEHOUSE_ADMIN_EMAIL: 'owner@feed.test',
      GATEHOUSE_ADMIN_PASSWORD: 'feed owner password',
      GATEHOUSE_STATE_POLL_MS: '100',
    });
    gh = await createGatehouse({
      config,
      clock: new ManualClock('2026-06-01T12:00:00Z'),
      db: createPgDb({ connectionString: db.url }),
      masterKey: MasterKey.fromString(MASTER_KEY),
    });
  }, 60_000);
  afterAll(async () => {
    await gh?.close();
    await db?.drop();
  });

  it('applies the held change once it commits, although a later id was read first', async () => {
    const org = gh.bootstrap!.orgId;
    const actor = { type: 'system' as const, id: 'test' };
    const ctx = { ip: '' };
    const slow = (await gh.services.serviceAccounts.create(actor, org, { name: 'slow', scopes: ['assets:read'] }, ctx)).account.id;
    const fast = (await gh.services.serviceAccounts.create(actor, org, { name: 'fast', scopes: ['assets:read'] }, ctx)).account.id;
    const states = gh.services.states;
    // Both cached in this instance.
    expect((await states.serviceAccount(slow))!.disabled).toBe(false);
    expect((await states.serviceAccount(fast))!.disabled).toBe(false);

    // Another "instance" (a raw connection) disables `slow` but does not commit yet: its change row
    // has the lower id. Then `fast` is disabled and committed: the higher id, read first.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('UPDATE service_accounts SET disabled_at = now(), token_epoch = token_epoch + 1 WHERE id = $1', [slow]);
      const committed = new pg.Client({ connectionString: db.url });
      await committed.connect();
      await committed.query('UPDATE service_accounts SET disabled_at = now(), token_epoch = token_epoch + 1 WHERE id = $1', [fast]);
      await committed.end();
      await msUntil(async () => (await states.serviceAccount(fast))!.disabled, 3000);
      expect((await states.serviceAccount(slow))!.disabled).toBe(false); // not committed yet
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    expect(await msUntil(async () => (await states.serviceAccount(slow))!.disabled, 3000)).toBeLessThan(1000);
  });
});
