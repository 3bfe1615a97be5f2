import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type Harness } from '@gatehouse/testkit';
import { createBearerFetch, RefreshTokenClient, ServiceAccountTokenClient, TokenRequestError, type TokenClientEvent } from '../src/index.js';

type Listening = Harness & { url: string };

/** Token grants the server recorded for `clientId` (its own audit log, not the client's word). */
async function grantsRecorded(h: Listening, clientId: string): Promise<number> {
  await h.gh.services.audit.drain();
  const [row] = await h.gh.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'token.grant' AND actor_id = $1", [clientId]);
  return row!.n;
}

/** A fetch that counts the calls it passes on. */
function countingFetch(): { fetch: typeof fetch; calls: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      n++;
      return fetch(input, init);
    },
    calls: () => n,
  };
}

describe('ServiceAccountTokenClient against a running server', () => {
  let h: Listening;
  beforeAll(async () => {
    h = await startListening();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('1,000 concurrent getToken() calls cause exactly one token request', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const counter = countingFetch();
    const client = new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret, fetch: counter.fetch, now: () => h.clock.now().getTime() });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(counter.calls()).toBe(1);
    expect(await grantsRecorded(h, clientId)).toBe(1);
    // And the token works.
    const res = await fetch(`${h.url}/api/v1/auth/validate`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    expect(res.status).toBe(200);
  });

  it('renews the token a margin before it expires, by the injected clock', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const counter = countingFetch();
    const client = new ServiceAccountTokenClient({
      url: h.url,
      clientId,
      clientSecret,
      fetch: counter.fetch,
      now: () => h.clock.now().getTime(),
      marginSeconds: 60,
    });
    const first = await client.token();
    expect(first.expiresAt - first.issuedAt).toBe(900_000);
    h.clock.advance(900 - 61); // 61 s left: outside the margin
    expect(await client.getToken()).toBe(first.accessToken);
    expect(counter.calls()).toBe(1);
    h.clock.advance(2); // 59 s left: inside the margin, still valid at the server
    const second = await client.token();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.expiresAt).toBeGreaterThan(first.expiresAt);
    expect(counter.calls()).toBe(2);
    const old = await fetch(`${h.url}/api/v1/auth/validate`, { headers: { authorization: `Bearer ${first.accessToken}` } });
    expect(old.status).toBe(200); // renewed before expiry, not after
    expect(await grantsRecorded(h, clientId)).toBe(2);
  });

  it('client_secret_post works too, and a scope subset is asked for', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'assets:read']);
    const client = new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret, authMethod: 'client_secret_post', scope: ['assets:read'] });
    const token = await client.token();
    expect(token.scope).toBe('assets:read');
  });

  it('a refused credential fails at once with invalid_client, and no secret appears anywhere', async () => {
    const { clientId } = await h.createServiceAccount(['audit-log:read']);
    const wrongSecret = 'ghs_this-is-not-the-secret-0123456789abcdef';
    const counter = countingFetch();
    const events: TokenClientEvent[] = [];
    const client = new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret: wrongSecret, fetch: counter.fetch, onEvent: (e) => events.push(e) });
    const err = await client.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ code: 'invalid_client', status: 401, retryable: false });
    expect(counter.calls()).toBe(1);
    for (const text of [
      String(err),
      JSON.stringify(err),
      util.inspect(err),
      util.inspect(client, { depth: 5 }),
      JSON.stringify(client),
      JSON.stringify(events),
    ]) {
      expect(text).not.toContain(wrongSecret);
    }
  });

  it('the bearer fetch retries once with a fresh token after a 401 (disable, then enable)', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const client = new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret, now: () => h.clock.now().getTime() });
    const api = createBearerFetch(client, { baseUrl: h.url });
    expect((await api('/api/v1/auth/validate')).status).toBe(200);
    const old = await client.getToken();
    expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/disable`)).statusCode).toBe(200);
    expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/enable`)).statusCode).toBe(200);
    // [A7] the old token is dead for good; the wrapper gets a new one and the call succeeds.
    const res = await api('/api/v1/auth/validate');
    expect(res.status).toBe(200);
    expect(await client.getToken()).not.toBe(old);
    await expect(api('https://elsewhere.example/steal')).rejects.toThrow(/refusing to send/);
  });

  it('retries network errors with backoff, then reports network_error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const sleeps: number[] = [];
    const client = new ServiceAccountTokenClient({
      url: `http://127.0.0.1:${port}`,
      clientId: 'svc_x',
      clientSecret: 'secret',
      maxAttempts: 3,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'network_error', status: 0, retryable: true });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThanOrEqual(200); // the second wait is the longer one (backoff)
  });

  it('backs off on 5xx and succeeds once the server recovers', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    // A front that answers 503 twice (without Retry-After), then passes requests on to the server.
    let failures = 2;
    const front = http.createServer((req, res) => {
      if (failures-- > 0) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable","error_description":"busy"}');
        return;
      }
      const upstream = http.request(`${h.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const sleeps: number[] = [];
      const client = new ServiceAccountTokenClient({
        url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
        clientId,
        clientSecret,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      expect(await client.getToken()).toMatch(/^ey/);
      expect(sleeps).toHaveLength(2);
    } finally {
      front.close();
    }
  });

  it('inside the margin, a renewal failing for a retryable reason falls back to the still-valid token', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    let failing = false;
    const front = http.createServer((req, res) => {
      if (failing) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable","error_description":"down"}');
        return;
      }
      const upstream = http.request(`${h.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const client = new ServiceAccountTokenClient({
        url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
        clientId,
        clientSecret,
        maxAttempts: 2,
        now: () => h.clock.now().getTime(),
        sleep: async () => {},
      });
      const first = await client.getToken();
      failing = true;
      h.clock.advance(900 - 30); // inside the margin, 30 s left
      expect(await client.getToken()).toBe(first);
      h.clock.advance(31); // expired: nothing to fall back to
      await expect(client.getToken()).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503, retryable: true });
      failing = false;
      expect(await client.getToken()).not.toBe(first);
    } finally {
      front.close();
    }
  });
});

describe('429 with Retry-After', () => {
  let h: Listening;
  // One grant at once per client, refilled at one every ten seconds: the second grant gets 429 Retry-After: 10.
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1/0.1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits exactly what Retry-After asks, then succeeds', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const now = () => h.clock.now().getTime();
    await new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret, now }).getToken(); // spends the burst
    const sleeps: number[] = [];
    const events: TokenClientEvent[] = [];
    const counter = countingFetch();
    const client = new ServiceAccountTokenClient({
      url: h.url,
      clientId,
      clientSecret,
      now,
      fetch: counter.fetch,
      onEvent: (e) => events.push(e),
      // The server's rate limiter runs on the same injected clock: sleeping moves it.
      sleep: async (ms) => {
        sleeps.push(ms);
        h.clock.advance(ms / 1000);
      },
    });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(sleeps).toEqual([10_000]);
    expect(counter.calls()).toBe(2);
    expect(events.filter((e) => e.type === 'error')).toEqual([{ type: 'error', code: 'rate_limited', status: 429 }]);
  });

  it('fails at once when Retry-After is longer than it may wait', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    await new ServiceAccountTokenClient({ url: h.url, clientId, clientSecret }).getToken();
    const sleeps: number[] = [];
    const client = new ServiceAccountTokenClient({
      url: h.url,
      clientId,
      clientSecret,
      maxRetryAfterSeconds: 5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
    expect(sleeps).toEqual([]);
  });
});

describe('RefreshTokenClient', () => {
  let h: Listening;
  beforeAll(async () => {
    h = await startListening();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exchanges a personal refresh token for a one-hour user token, cached, usable on /sbom/v1', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const counter = countingFetch();
    const client = new RefreshTokenClient({ url: h.url, refreshToken, fetch: counter.fetch, now: () => h.clock.now().getTime() });
    const [a, b] = await Promise.all([client.token(), client.token()]);
    expect(a).toBe(b);
    expect(a.expiresAt - a.issuedAt).toBe(3_600_000);
    expect(counter.calls()).toBe(1);
    const api = createBearerFetch(client, { baseUrl: h.url });
    const res = await api(`/sbom/v1/orgs/${h.orgId}/buckets`);
    expect(res.status).toBe(200);
    expect(util.inspect(client, { depth: 5 })).not.toContain(refreshToken);
  });

  it('a revoked refresh token gets invalid_grant', async () => {
    const { id, refreshToken } = await h.createRefreshToken();
    expect((await h.owner.request('DELETE', `/console/api/me/refresh-tokens/${id}`)).statusCode).toBe(204);
    const client = new RefreshTokenClient({ url: h.url, refreshToken });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'invalid_grant', status: 400, retryable: false });
  });
});
