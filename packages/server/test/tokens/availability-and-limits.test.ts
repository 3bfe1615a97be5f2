import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cuttable } from '../support/cuttable-db.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

describe('a database outage is a 503, never an authentication failure', () => {
  let h: Harness;
  let db: ReturnType<typeof cuttable>;
  beforeAll(async () => {
    h = await startHarness({ wrapDb: (raw) => (db = cuttable(raw)) });
  });
  afterAll(async () => {
    db?.restore();
    await h?.close();
  });

  it('token grants, API calls, console calls and /readyz answer 503 while it is down, and recover without a restart', async () => {
    const cold = await h.createServiceAccount(['audit-log:read']); // never used: not in the state cache
    const warm = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(warm.clientId, warm.clientSecret);
    db.cut();
    try {
      const checks = {
        coldGrant: await h.token(cold.clientId, cold.clientSecret),
        warmGrant: await h.token(warm.clientId, warm.clientSecret),
        wrongSecret: await h.token(cold.clientId, 'ghcs_wrong'),
        apiCall: await h.api('GET', '/api/v1/audit-events', token),
        console: await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`),
        signIn: await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
        readyz: await h.gh.app.inject({ method: 'GET', url: '/readyz' }),
      };
      for (const [name, res] of Object.entries(checks)) {
        expect(res.statusCode, name).toBe(503);
        expect(res.json().error, name).toBe('temporarily_unavailable');
      }
      expect(checks.coldGrant.headers['retry-after']).toBe('1');
      expect((await h.gh.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      db.restore();
    }
    expect((await h.token(cold.clientId, cold.clientSecret)).statusCode).toBe(200);
    expect((await h.api('GET', '/api/v1/audit-events', token)).statusCode).toBe(200);
    expect((await h.gh.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('a grant whose audit row cannot commit mints nothing the client sees', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    await h.accessToken(sa.clientId, sa.clientSecret); // warm the state cache: only the audit write fails
    db.cut();
    const res = await h.token(sa.clientId, sa.clientSecret);
    db.restore();
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('access_token');
  });
});

describe('token endpoint rate limits (§4)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '3/1', GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '6/2' } });
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

  it('limits each authenticated client with 429 and Retry-After, then lets it back; wrong secrets do not spend it', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    expect((await grant(sa.clientId, 'ghcs_wrong', '10.0.0.1')).statusCode).toBe(401);
    expect((await grant(sa.clientId, sa.clientSecret, '10.0.0.2')).statusCode).toBe(200);
    expect((await grant(sa.clientId, sa.clientSecret, '10.0.0.3')).statusCode).toBe(200);
    expect((await grant(sa.clientId, sa.clientSecret, '10.0.0.3')).statusCode).toBe(200);
    const limited = await grant(sa.clientId, sa.clientSecret, '10.0.0.4');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(limited.json().error).toBe('rate_limited');
    h.clock.advance(1);
    expect((await grant(sa.clientId, sa.clientSecret, '10.0.0.4')).statusCode).toBe(200);
  });

  it('limits each address across clients', async () => {
    h.clock.advance(60);
    const clients = await Promise.all([1, 2, 3].map(() => h.createServiceAccount(['audit-log:read'])));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const c = clients[i % 3]!;
      statuses.push((await grant(c.clientId, c.clientSecret, '10.9.9.9')).statusCode);
    }
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses[6]).toBe(429);
    expect((await grant(clients[0]!.clientId, clients[0]!.clientSecret, '10.9.9.8')).statusCode).toBe(200);
  });

  it('measures elapsed time monotonically: a wall clock stepped back an hour exhausts no bucket', async () => {
    h.clock.advance(7200); // so that the step back stays after the signing key's activation
    const sa = await h.createServiceAccount(['audit-log:read']);
    expect((await grant(sa.clientId, sa.clientSecret, '10.7.0.1')).statusCode).toBe(200);
    h.clock.set(new Date(h.clock.now().getTime() - 3_600_000)); // NTP or an operator steps the wall clock back
    expect((await grant(sa.clientId, sa.clientSecret, '10.7.0.2')).statusCode).toBe(200);
    expect((await grant(sa.clientId, sa.clientSecret, '10.7.0.3')).statusCode).toBe(200);
    const limited = await grant(sa.clientId, sa.clientSecret, '10.7.0.4');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1'); // not 3600-odd: the bucket is not in debt
    // Nor does a step forward refill a bucket: only time that passed does.
    h.clock.set(new Date(h.clock.now().getTime() + 7_200_000));
    expect((await grant(sa.clientId, sa.clientSecret, '10.7.0.4')).statusCode).toBe(429);
    h.clock.advance(1);
    expect((await grant(sa.clientId, sa.clientSecret, '10.7.0.4')).statusCode).toBe(200);
    // Another client, first seen after the step, starts with a full bucket.
    const other = await h.createServiceAccount(['audit-log:read']);
    for (let i = 0; i < 3; i++) expect((await grant(other.clientId, other.clientSecret, `10.7.1.${i}`)).statusCode).toBe(200);
  });
});

describe('concurrent rotations (§2 [A5])', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('take turns: after five at once, exactly the last two secrets work and generations are 1..6 without gaps', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    const url = `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/rotate-secret`;
    const results = await Promise.all(Array.from({ length: 5 }, () => h.owner.request('POST', url, { graceSeconds: 600 })));
    const rotated = results.map((r) => r.json() as { clientSecret: string; generation: number });
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(rotated.map((r) => r.generation).sort()).toEqual([2, 3, 4, 5, 6]);
    const working: number[] = [];
    for (const r of [{ clientSecret: sa.clientSecret, generation: 1 }, ...rotated]) {
      if ((await h.token(sa.clientId, r.clientSecret)).statusCode === 200) working.push(r.generation);
    }
    expect(working.sort()).toEqual([5, 6]);
  });
});
