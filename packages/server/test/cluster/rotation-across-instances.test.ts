import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MasterKey } from '../../src/crypto/master-key.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.js';
import { consoleSession, MASTER_KEY, scratchDatabase, startServer, token, type ServerProcess } from './processes.js';

/**
 * Issue "Hardening" 11a: a secret just rotated on instance A must work on instance B at once,
 * although B's cached principal state has not yet heard of it: a miss against cached secrets
 * re-reads the account once before refusing.
 */
describe('a secret rotated on one instance works on another at once', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    db = await scratchDatabase();
    a = await startServer(db.url);
    b = await startServer(db.url);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('rotate on A, use the new secret on B immediately: 200 every time (50 rotations)', async () => {
    const owner = await consoleSession(a.url);
    const sa = (await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: 'rotating', scopes: ['audit-log:read'] })).json;
    const grantOnB = (secret: string) => token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: secret });
    expect((await grantOnB(sa.clientSecret)).status).toBe(200); // B has the account cached
    const refused: number[] = [];
    for (let i = 0; i < 50; i++) {
      const rotated = await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}/rotate-secret`, { graceSeconds: 60 });
      expect(rotated.status).toBe(200);
      const r = await grantOnB(rotated.json.clientSecret);
      if (r.status !== 200) refused.push(i);
    }
    expect(refused).toEqual([]);
  }, 60_000);

  it('even when B hears nothing from A (no change feed), the new secret works on B and a wrong one is still refused', async () => {
    // B in this process, with the LISTEN/poll feed removed: only the re-read can find the secret.
    const { config } = loadConfig({
      DATABASE_URL: db.url,
      GATEHOUSE_MASTER_KEY: MASTER_KEY,
      GATEHOUSE_ISSUER: 'http://gatehouse.cluster.test',
      GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '100000/100000',
      GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '100000/100000',
      // Twenty wrong secrets from one address would otherwise meet the failed-authentication limit (429).
      GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '100000/100000',
      GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '100000/100000',
    });
    const pgDb = createPgDb({ connectionString: db.url, max: 4 });
    let secretReads = 0;
    const counting = {
      ...pgDb,
      listen: undefined,
      query: <T>(sql: string, params?: readonly unknown[]) => {
        if (/FROM service_account_secrets/.test(sql)) secretReads++;
        return pgDb.query<T>(sql, params);
      },
    };
    const deaf: Gatehouse = await createGatehouse({ config, db: counting, masterKey: MasterKey.fromString(MASTER_KEY) });
    try {
      const grantOnB = async (clientId: string, secret: string) => {
        const res = await deaf.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
        });
        return { status: res.statusCode, error: (res.json() as { error?: string }).error };
      };
      const owner = await consoleSession(a.url);
      const sa = (await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: 'deaf', scopes: ['audit-log:read'] })).json;
      expect((await grantOnB(sa.clientId, sa.clientSecret)).status).toBe(200); // cached on B
      for (let i = 0; i < 3; i++) {
        const rotated = await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}/rotate-secret`, { graceSeconds: 60 });
        expect((await grantOnB(sa.clientId, rotated.json.clientSecret)).status).toBe(200);
      }
      expect(await grantOnB(sa.clientId, `${sa.clientSecret}x`)).toEqual({ status: 401, error: 'invalid_client' });
      // Many wrong secrets at once share re-reads rather than each reading the database.
      secretReads = 0;
      const wrong = await Promise.all(Array.from({ length: 20 }, () => grantOnB(sa.clientId, 'ghsec_wrong')));
      expect(wrong.every((w) => w.status === 401 && w.error === 'invalid_client')).toBe(true);
      expect(secretReads).toBeGreaterThan(0);
      expect(secretReads).toBeLessThanOrEqual(2); // one running re-read, one queued behind it
    } finally {
      await deaf.close();
    }
  }, 60_000);
});
