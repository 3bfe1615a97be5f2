import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type Harness } from '@gatehouse/testkit';
import { AccessDenied, createVerifier, type Principal, type RequireOptions, type Verifier } from '../src/index.js';
import { silentProxy } from './support/silent-proxy.js';

const CREDENTIAL = 'ghrs_verifier-test-credential-0123456789abcdef';
type Listening = Harness & { url: string };

/** The refusal a verification ends in, or null when it admits. */
async function outcome(v: Verifier, token: string, require: RequireOptions = {}): Promise<{ status: number; code: string } | null> {
  try {
    await v.verify(`Bearer ${token}`, require);
    return null;
  } catch (err) {
    if (!(err instanceof AccessDenied)) throw err;
    return { status: err.status, code: err.code };
  }
}

/** Polls until `check` is true; returns the milliseconds it took (fails after `ms`). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Verifier against a running server', () => {
  let h: Listening;
  let v: Verifier;
  const now = () => h.clock.now().getTime();
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
    v = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, now });
    await v.start();
  });
  afterAll(async () => {
    await v?.close();
    await h?.close();
  });

  it('admits a service account token with its scopes, and answers 403 naming a missing scope', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'assets:read']);
    const token = await h.accessToken(clientId, clientSecret);
    const p = await v.verify(`Bearer ${token}`, { scope: 'assets:read' });
    expect(p).toMatchObject({ type: 'service_account', id: clientId, orgId: h.orgId, name: 'Test integration' });
    expect([...(p as Extract<Principal, { type: 'service_account' }>).scopes].sort()).toEqual(['assets:read', 'audit-log:read']);
    const denied = await v.verify(`Bearer ${token}`, { scope: 'sbom.buckets:write' }).catch((e: AccessDenied) => e);
    expect(denied).toBeInstanceOf(AccessDenied);
    expect(denied).toMatchObject({ status: 403, code: 'insufficient_scope', scope: 'sbom.buckets:write' });
    expect((denied as AccessDenied).headers()['www-authenticate']).toMatch(/error="insufficient_scope".*scope="sbom.buckets:write"/);
    // Its own organization's path admits it; another organization's is 404 (§5).
    expect(await outcome(v, token, { orgId: h.orgId, scope: 'assets:read' })).toBeNull();
    expect(await outcome(v, token, { orgId: 'org_01ANOTHER0000000000000000000' })).toEqual({ status: 404, code: 'not_found' });
  });

  it("[A7] rejects a disabled service account's token within one second of the console call; re-enabling does not revive it", async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    expect(await outcome(v, token)).toBeNull(); // verified and cached
    const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/disable`);
    expect(res.statusCode).toBe(200);
    const took = await within(1000, async () => (await outcome(v, token))?.status === 401);
    expect(took).toBeLessThan(1000);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/enable`);
    const fresh = await h.accessToken(clientId, clientSecret);
    await within(1000, async () => (await outcome(v, fresh)) === null);
    expect(await outcome(v, token)).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('[A9] narrows a live token when the account loses a scope; [A8] an expired account is refused', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'assets:read'], {
      expiresAt: new Date(now() + 3_600_000).toISOString(),
    });
    const token = await h.accessToken(clientId, clientSecret);
    expect(await outcome(v, token, { scope: 'assets:read' })).toBeNull();
    await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}`, { scopes: ['audit-log:read'] });
    await within(1000, async () => (await outcome(v, token, { scope: 'assets:read' }))?.status === 403);
    expect(await outcome(v, token, { scope: 'audit-log:read' })).toBeNull();
    // Past the account's expiry (the token itself would still live): refused by the verifier's clock.
    const late = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, now: () => now() + 3_600_000 + 1000 });
    await late.start();
    try {
      expect(await outcome(late, token)).toEqual({ status: 401, code: 'invalid_token' });
    } finally {
      await late.close();
    }
  });

  it("[B6] narrows a user's access within one second of a role change, and 404s once they are removed", async () => {
    const member = await h.addUser('member');
    const { refreshToken } = await h.createRefreshToken(member);
    const token = await h.userAccessToken(refreshToken);
    const org = { orgId: h.orgId };
    expect(await outcome(v, token, { ...org, scope: 'sbom.buckets:write' })).toBeNull();
    // [B9] without an organization, only service-account tokens are accepted.
    expect(await outcome(v, token)).toEqual({ status: 401, code: 'invalid_token' });

    const demote = await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${member.userId}`, { role: 'viewer' });
    expect(demote.statusCode).toBe(200);
    const took = await within(1000, async () => (await outcome(v, token, { ...org, scope: 'sbom.buckets:write' }))?.status === 403);
    expect(took).toBeLessThan(1000);
    expect(await outcome(v, token, { ...org, scope: 'sbom.buckets:read' })).toBeNull();

    await h.owner.request('DELETE', `/console/api/orgs/${h.orgId}/members/${member.userId}`);
    await within(1000, async () => (await outcome(v, token, { ...org, scope: 'sbom.buckets:read' }))?.status === 404);
  });

  it('[B8] a token narrowed to scopes and organizations never does more, whatever the role', async () => {
    const other = await h.createOrg('Narrowing org');
    const { refreshToken } = await h.createRefreshToken(h.owner, { scopes: ['sbom.buckets:read'], orgIds: [h.orgId] });
    const token = await h.userAccessToken(refreshToken);
    expect(await outcome(v, token, { orgId: h.orgId, scope: 'sbom.buckets:read' })).toBeNull();
    expect(await outcome(v, token, { orgId: h.orgId, scope: 'sbom.buckets:write' })).toEqual({ status: 403, code: 'insufficient_scope' });
    await within(1000, async () => (await outcome(v, token, { orgId: other, scope: 'sbom.buckets:read' }))?.status === 404);
  });

  it("[B7] rejects a deactivated user's token", async () => {
    const member = await h.addUser('member');
    const { refreshToken } = await h.createRefreshToken(member);
    const token = await h.userAccessToken(refreshToken);
    expect(await outcome(v, token, { orgId: h.orgId })).toBeNull();
    const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/members/${member.userId}/deactivate`);
    expect(res.statusCode).toBe(200);
    await within(1000, async () => (await outcome(v, token, { orgId: h.orgId }))?.status === 401);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/members/${member.userId}/reactivate`);
    await new Promise((r) => setTimeout(r, 200));
    expect(await outcome(v, token, { orgId: h.orgId })).toEqual({ status: 401, code: 'invalid_token' }); // the epoch moved on
  });

  it('refuses tampered, foreign, expired, unsigned and wrongly typed tokens with 401', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    const [hd, pl, sig] = token.split('.');
    const flip = (s: string) => (s[10] === 'A' ? `${s.slice(0, 10)}B${s.slice(11)}` : `${s.slice(0, 10)}A${s.slice(11)}`);
    const claims = JSON.parse(Buffer.from(pl!, 'base64url').toString());
    const other = await jose.generateKeyPair('ES256');
    const kid = JSON.parse(Buffer.from(hd!, 'base64url').toString()).kid;
    const forged = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(other.privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url')}.${pl}.`;
    const hs = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(new Uint8Array(32));
    const wrongTyp = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).sign(other.privateKey);
    const moreClaims = `${hd}.${Buffer.from(JSON.stringify({ ...claims, scope: 'assets:read' })).toString('base64url')}.${sig}`;
    for (const bad of [flip(sig!), `${hd}.${pl}.${flip(sig!)}`, forged, unsigned, hs, wrongTyp, moreClaims, `${token}.x`, 'not-a-jwt', '']) {
      expect(await outcome(v, bad)).toEqual({ status: 401, code: 'invalid_token' });
    }
    expect(await v.verify(undefined).catch((e: AccessDenied) => e.status)).toBe(401);
    expect(await v.verify(`Basic ${token}`).catch((e: AccessDenied) => e.status)).toBe(401);
    // Issuer and audience are checked.
    const foreign = createVerifier({ issuer: 'https://elsewhere.example', url: h.url, feedCredential: CREDENTIAL });
    const wrongAud = createVerifier({ issuer: h.url, audience: 'https://another-api.example', feedCredential: CREDENTIAL });
    await Promise.all([foreign.start(), wrongAud.start()]);
    try {
      expect(await outcome(foreign, token)).toEqual({ status: 401, code: 'invalid_token' });
      expect(await outcome(wrongAud, token)).toEqual({ status: 401, code: 'invalid_token' });
    } finally {
      await Promise.all([foreign.close(), wrongAud.close()]);
    }
    // Expiry by the verifier's clock, after the token was cached as valid.
    expect(await outcome(v, token)).toBeNull();
    h.clock.advance(901);
    try {
      expect(await outcome(v, token)).toEqual({ status: 401, code: 'invalid_token' });
    } finally {
      h.clock.advance(-901);
    }
  });

  it('a token of an account created a moment ago is admitted (the verifier waits briefly for the feed)', async () => {
    for (let i = 0; i < 5; i++) {
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      expect(await outcome(v, await h.accessToken(clientId, clientSecret))).toBeNull();
    }
  });

  it('fetches the JWKS again for an unknown kid at most once per cooldown', async () => {
    let jwksFetches = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/.well-known/jwks.json')) jwksFetches++;
      return fetch(input, init);
    };
    const cv = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, fetch: counting, jwksCooldownMs: 60_000 });
    await cv.start();
    try {
      expect(jwksFetches).toBe(1);
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      const token = await h.accessToken(clientId, clientSecret);
      const [, pl] = token.split('.');
      const other = await jose.generateKeyPair('ES256');
      const made = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new jose.SignJWT(JSON.parse(Buffer.from(pl!, 'base64url').toString()))
            .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: `made-up-${i}` })
            .sign(other.privateKey),
        ),
      );
      for (const t of made) expect(await outcome(cv, t)).toEqual({ status: 401, code: 'invalid_token' });
      expect(jwksFetches).toBe(1); // within the cooldown of the start-up fetch: no refetch at all
      expect(await outcome(cv, token)).toBeNull();
    } finally {
      await cv.close();
    }
  });
});

describe('Verifier fails closed', () => {
  let h: Listening;
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 when the feed has been cut for longer than the bound, and recovers when it returns', async () => {
    const proxy = await silentProxy(h.url);
    const v = createVerifier({ issuer: h.url, url: proxy.url, feedCredential: CREDENTIAL, staleAfterMs: 600, heartbeatMs: 100 });
    await v.start();
    try {
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      const token = await h.accessToken(clientId, clientSecret);
      expect(await outcome(v, token)).toBeNull();
      proxy.silence();
      const cutAt = performance.now();
      // Within the bound the state is still trusted...
      await new Promise((r) => setTimeout(r, 300));
      expect(await outcome(v, token)).toBeNull();
      // ...past it, every decision is 503 (with Retry-After), never a guess.
      const took = await within(2000, async () => (await outcome(v, token))?.status === 503);
      // The bound runs from the last message heard, which may be a heartbeat (100 ms) before the cut.
      expect(performance.now() - cutAt).toBeGreaterThanOrEqual(600 - 100);
      expect(took).toBeLessThan(1500);
      const denied = await v.verify(`Bearer ${token}`).catch((e: AccessDenied) => e);
      expect(denied).toMatchObject({ status: 503, code: 'temporarily_unavailable' });
      expect((denied as AccessDenied).headers()).toEqual({ 'retry-after': '1' });
      expect(v.fresh).toBe(false);
      // A disable made while cut is applied from the snapshot on reconnect, before anything is admitted.
      await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/disable`);
      proxy.restore();
      await within(5000, async () => v.fresh);
      expect(await outcome(v, token)).toEqual({ status: 401, code: 'invalid_token' });
    } finally {
      await v.close();
      await proxy.close();
    }
  });

  it('start() fails when the credential is refused', async () => {
    const v = createVerifier({ issuer: h.url, feedCredential: 'ghrs_not-a-known-credential-000000000000000' });
    const events: string[] = [];
    const v2 = createVerifier({ issuer: h.url, feedCredential: 'ghrs_not-a-known-credential-000000000000000', onEvent: (e) => events.push(e.type) });
    try {
      await expect(v.start(500)).rejects.toThrow(/no snapshot/);
      await expect(v2.start(300)).rejects.toThrow();
      expect(events).toContain('refused');
    } finally {
      await v.close();
      await v2.close();
    }
  });
});

describe('Verifier and signing-key rotation', () => {
  let h: Listening;
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("fetches the JWKS again for a new kid once the cooldown allows, and keeps verifying the old key's tokens", async () => {
    let jwksFetches = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/.well-known/jwks.json')) jwksFetches++;
      return fetch(input, init);
    };
    const v = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, fetch: counting, jwksCooldownMs: 200 });
    await v.start();
    try {
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      const before = await h.accessToken(clientId, clientSecret);
      expect(await outcome(v, before)).toBeNull();
      // An emergency rotation: the new key signs at once.
      await h.gh.services.keys.rotate({ publishAheadSeconds: 0 });
      const after = await h.accessToken(clientId, clientSecret);
      const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid;
      expect(kidOf(after)).not.toBe(kidOf(before));
      await new Promise((r) => setTimeout(r, 250)); // past the cooldown of the start-up fetch
      expect(await outcome(v, after)).toBeNull();
      expect(jwksFetches).toBe(2);
      expect(await outcome(v, before)).toBeNull(); // the retired key stays published while its tokens live
    } finally {
      await v.close();
    }
  });
});
