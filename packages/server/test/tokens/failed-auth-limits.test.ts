import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import type { Db } from '../../src/db/db.js';

/**
 * Hardening 4: client ids are public (every token carries one), so failed authentications are
 * charged to the caller's address and address + client id, and a client's own bucket only once it
 * has authenticated. An attacker cannot spend a victim's limit.
 */
describe('token endpoint: failed authentications are charged to the caller, not the victim (§4)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        // The shipped defaults, written out because the harness loosens every limit.
        GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '30/1',
        GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '30/0.5',
        GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '10/0.1',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const grant = (clientId: string, secret: string, ip: string) =>
    h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      remoteAddress: ip,
      payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    });

  it("100 wrong secrets under the victim's client id from A: A is throttled after its burst, the victim on B still gets 200", async () => {
    const victim = await h.createServiceAccount(['audit-log:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await grant(victim.clientId, `ghcs_wrong${i}`, '203.0.113.66')).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(90).fill(429));
    const limited = await grant(victim.clientId, 'ghcs_wrong', '203.0.113.66');
    expect(limited.json()).toMatchObject({ error: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The victim's own bucket was never touched: all 30 of its burst are there.
    for (let i = 0; i < 30; i++) expect((await grant(victim.clientId, victim.clientSecret, '198.51.100.7')).statusCode).toBe(200);
    expect((await grant(victim.clientId, victim.clientSecret, '198.51.100.7')).statusCode).toBe(429);
  });

  it('an address guessing across many client ids is throttled by its own failure bucket', async () => {
    h.clock.advance(600);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await grant(`svc_guess${i}`, 'ghcs_wrong', '203.0.113.77')).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    const victim = await h.createServiceAccount(['audit-log:read']);
    expect((await grant(victim.clientId, victim.clientSecret, '198.51.100.8')).statusCode).toBe(200);
  });

  it('successes and non-authentication errors are not charged as failures', async () => {
    h.clock.advance(600);
    const sa = await h.createServiceAccount(['audit-log:read']);
    for (let i = 0; i < 15; i++) {
      expect((await grant(sa.clientId, sa.clientSecret, '192.0.2.10')).statusCode).toBe(200);
      const res = await h.gh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        remoteAddress: '192.0.2.10',
        payload: { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret, scope: 'webhooks:manage' },
      });
      expect(res.json().error).toBe('invalid_scope');
    }
    // 30 requests from this address and client, none an authentication failure: all 10 failures remain.
    for (let i = 0; i < 10; i++) expect((await grant(sa.clientId, 'ghcs_wrong', '192.0.2.10')).statusCode).toBe(401);
    expect((await grant(sa.clientId, 'ghcs_wrong', '192.0.2.10')).statusCode).toBe(429);
  });

  it('refresh_token grant: unknown tokens are charged to the address; the owner elsewhere is unaffected', async () => {
    h.clock.advance(600);
    const { refreshToken } = await h.createRefreshToken();
    const refresh = (token: string, ip: string) =>
      h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress: ip, payload: { grant_type: 'refresh_token', refresh_token: token } });
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await refresh(`ghrt_guess${i}`, '203.0.113.99')).statusCode);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(400));
    expect(statuses.slice(30)).toEqual(Array(5).fill(429));
    expect((await refresh(refreshToken, '198.51.100.10')).statusCode).toBe(200);
    // Uses of a working refresh token are never charged: far more than the failure burst pass.
    for (let i = 0; i < 40; i++) expect((await refresh(refreshToken, '198.51.100.11')).statusCode).toBe(200);
  });
});

describe('token endpoint: a burst of guesses sent at once', () => {
  let h: Harness;
  let slow = false;
  beforeAll(async () => {
    h = await startHarness({
      env: { GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '30/0.5', GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '10/0.1' },
      // A database that answers after 20 ms, so that every request of the burst is in flight at once.
      wrapDb: (db) =>
        Object.assign(Object.create(db) as Db, {
          query: async (...args: Parameters<Db['query']>) => {
            if (slow) await new Promise((r) => setTimeout(r, 20));
            return db.query(...args);
          },
          transaction: async (...args: Parameters<Db['transaction']>) => {
            if (slow) await new Promise((r) => setTimeout(r, 20));
            return db.transaction(...args);
          },
        }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gets no more guesses than the burst: failure tokens are reserved before the secret is compared', async () => {
    const victim = await h.createServiceAccount(['audit-log:read']);
    slow = true;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => h.token(victim.clientId, `ghcs_guess${i}`)));
    slow = false;
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(10);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(30);
  });

  it('a client with many grants in flight at once is not refused: its reservation ends when its secret matches', async () => {
    h.clock.advance(600);
    const sa = await h.createServiceAccount(['audit-log:read']);
    // The burst starts from the account's cached state, as a client's steady traffic does (a cold
    // load holds every reservation across the read). On PostgreSQL this instance also hears its own
    // creation through the change feed, which drops the cached state again: let that happen first,
    // or it may land in the burst (seen: 10 × 200, then 15 × 429).
    await h.gh.services.feed?.read();
    await h.gh.services.states.serviceAccount(sa.clientId);
    slow = true; // each grant then waits ~20 ms on its audit commit, all 25 in flight together
    const results = await Promise.all(Array.from({ length: 25 }, () => h.token(sa.clientId, sa.clientSecret)));
    slow = false;
    expect(results.map((r) => r.statusCode)).toEqual(Array(25).fill(200));
  });

  it('nor when its state is not cached (just started or just changed): the one shared load comes before any reservation', async () => {
    h.clock.advance(600);
    const sa = await h.createServiceAccount(['audit-log:read']);
    await h.gh.services.feed?.read();
    h.gh.services.states.invalidate(sa.clientId); // as after a restart or a change: the next grant loads it
    slow = true; // the load waits ~20 ms, all 25 grants behind it
    const results = await Promise.all(Array.from({ length: 25 }, () => h.token(sa.clientId, sa.clientSecret)));
    slow = false;
    expect(results.map((r) => r.statusCode)).toEqual(Array(25).fill(200));
  });

  it('a person with more refreshes in flight than the address burst is not refused, from a token not yet cached', async () => {
    h.clock.advance(600);
    const { refreshToken } = await h.createRefreshToken(); // never used: its facts are read on first use
    const refresh = () => h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'refresh_token', refresh_token: refreshToken } });
    slow = true; // the read of its facts waits ~20 ms, all 40 refreshes behind it (the address burst is 30)
    const results = await Promise.all(Array.from({ length: 40 }, refresh));
    slow = false;
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
    // Guesses are still charged one by one: a burst of unknown tokens gets the address's 30, then 429.
    h.clock.advance(600);
    slow = true;
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'refresh_token', refresh_token: `ghrt_guess${i}` } }),
      ),
    );
    slow = false;
    expect(guesses.filter((r) => r.statusCode === 400)).toHaveLength(30);
    expect(guesses.filter((r) => r.statusCode === 429)).toHaveLength(10);
  });
});
