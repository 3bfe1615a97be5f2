import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { startHarness, type Harness } from '../support/harness.js';

const REVOKE = '/api/v1/auth/revoke';

describe('RFC 7009 revocation and concurrent use of one refresh token', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const revoke = (payload: Record<string, string> | string, contentType?: string) =>
    h.gh.app.inject({ method: 'POST', url: REVOKE, payload, ...(contentType ? { headers: { 'content-type': contentType } } : {}) });

  it('revokes a refresh token presented by its holder, with no client authentication, as JSON or a form', async () => {
    const a = await h.createRefreshToken();
    const b = await h.createRefreshToken();
    const json = await revoke({ token: a.refreshToken, token_type_hint: 'refresh_token' });
    expect(json.statusCode).toBe(200);
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.body).toBe('');
    const form = await revoke(`token=${encodeURIComponent(b.refreshToken)}`, 'application/x-www-form-urlencoded');
    expect(form.statusCode).toBe(200);
    for (const t of [a, b]) expect((await h.refresh(t.refreshToken)).json().error).toBe('invalid_grant');
    expect((await h.owner.request('GET', '/console/api/me/refresh-tokens')).json().items).toEqual([]);
    // Revoking again is still 200 and records nothing new.
    expect((await revoke({ token: a.refreshToken })).statusCode).toBe(200);
    const events = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?action=refresh_token.revoke`)).json().items;
    expect(events).toHaveLength(2);
  });

  it('unknown, malformed and tampered tokens answer 200 and change nothing (RFC 7009 §2.2)', async () => {
    const t = await h.createRefreshToken();
    const tampered = t.refreshToken.slice(0, -2) + (t.refreshToken.endsWith('AA') ? 'BB' : 'AA');
    for (const token of ['ghrt_unknown', tampered, 'x'.repeat(4000), 'not a token at all']) {
      expect((await revoke({ token })).statusCode).toBe(200);
    }
    expect((await h.refresh(t.refreshToken)).statusCode).toBe(200);
  });

  it('an access token is not revocable one by one: unsupported_token_type, and it keeps working', async () => {
    const access = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
    const res = await revoke({ token: access });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unsupported_token_type');
    expect((await h.api('GET', `/sbom/v1/orgs/${h.orgId}/buckets`, access)).statusCode).toBe(200);
  });

  it('bad requests get RFC 6749-shaped errors', async () => {
    for (const [payload, type] of [
      [{}, undefined],
      [{ token: ['a', 'b'] }, undefined],
      ['token=a&token=b', 'application/x-www-form-urlencoded'],
      ['{', 'application/json'],
    ] as const) {
      const res = await revoke(payload as Record<string, string>, type);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
  });

  it('discovery advertises the revocation endpoint and the refresh_token grant', async () => {
    const meta = (await h.gh.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    expect(meta.revocation_endpoint).toBe('http://gatehouse.test/api/v1/auth/revoke');
    expect(meta.revocation_endpoint_auth_methods_supported).toEqual(['none']);
    expect(meta.grant_types_supported).toEqual(['client_credentials', 'refresh_token']);
  });

  it('50 parallel grants on one refresh token all succeed, and lastUsedAt only moves forward', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const lastUsed = async () => (await h.owner.request('GET', '/console/api/me/refresh-tokens')).json().items[0].lastUsedAt as string;
    h.clock.advance(60);
    const later = h.clock.now().toISOString();
    const results = await Promise.all(Array.from({ length: 50 }, () => h.refresh(refreshToken)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    expect(new Set(results.map((r) => r.json().access_token)).size).toBe(50);
    expect(await lastUsed()).toBe(later);
    // A use stamped earlier than the recorded one (a slow request) never moves it back.
    const { refreshTokenStore } = await import('../../src/refresh-tokens/store.js');
    const id = `rt_${refreshToken.slice(5, 31)}`;
    await h.gh.db.transaction((tx) => refreshTokenStore.recordUses(tx, [{ tokenId: id, at: new Date(Date.parse(later) - 30_000) }]));
    expect(await lastUsed()).toBe(later);
    await h.gh.services.audit.drain();
    const grants = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?action=token.grant&limit=200`)).json().items;
    expect(grants).toHaveLength(50);
  });

  it('a grant racing a revocation: nothing is minted after the revocation has answered', async () => {
    for (let round = 0; round < 5; round++) {
      const { refreshToken } = await h.createRefreshToken();
      let revokedAt = 0;
      const grants = Array.from({ length: 20 }, () => h.refresh(refreshToken).then((r) => ({ status: r.statusCode, at: Date.now() })));
      const revocation = revoke({ token: refreshToken }).then((r) => {
        revokedAt = performance.now();
        return r;
      });
      const after: Array<Promise<{ status: number }>> = [];
      await revocation;
      // Every grant started after the revocation answered must fail.
      for (let i = 0; i < 10; i++) after.push(h.refresh(refreshToken).then((r) => ({ status: r.statusCode })));
      expect(revokedAt).toBeGreaterThan(0);
      const settled = await Promise.all(grants);
      expect(settled.every((g) => g.status === 200 || g.status === 400)).toBe(true);
      expect((await Promise.all(after)).map((g) => g.status)).toEqual(Array(10).fill(400));
    }
  });
});

describe('a grant whose commit is held until a revocation has answered', () => {
  it('is refused: the use is checked at commit, not at lookup', async () => {
    let gate: Promise<void> | null = null;
    let reachedGate = false;
    // Holds the next transaction (the grant's group commit) until released.
    const wrapDb = (db: Db): Db => ({
      kind: db.kind,
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      ping: () => db.ping(),
      close: () => db.close(),
      async transaction(fn) {
        if (gate) {
          const held = gate;
          gate = null;
          reachedGate = true;
          await held;
        }
        return db.transaction(fn);
      },
    });
    const h = await startHarness({ wrapDb });
    try {
      const { refreshToken } = await h.createRefreshToken();
      expect((await h.refresh(refreshToken)).statusCode).toBe(200); // warm: identity and user state cached
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      const grant = h.refresh(refreshToken);
      while (!reachedGate) await new Promise((r) => setImmediate(r));
      // The grant has minted its access token and waits for its commit; the revocation answers first.
      const revoked = await h.gh.app.inject({ method: 'POST', url: REVOKE, payload: { token: refreshToken } });
      expect(revoked.statusCode).toBe(200);
      release();
      const res = await grant;
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_grant');
    } finally {
      await h.close();
    }
  });
});
