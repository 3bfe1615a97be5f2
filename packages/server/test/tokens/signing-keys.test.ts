import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISH_AHEAD_SECONDS } from '../../src/tokens/signing-keys.js';
import { startHarness, type Harness } from '../support/harness.js';

/** §4: signing keys rotate without breaking tokens in flight. */
describe('signing-key rotation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('publishes a new key before it signs, signs with it from then, and keeps the retired key until its tokens have expired', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    const oldToken = await h.accessToken(sa.clientId, sa.clientSecret);
    const oldKid = jose.decodeProtectedHeader(oldToken).kid;
    const newKid = await h.gh.services.keys.rotate();
    const kids = () => h.gh.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }).then((r) => r.json().keys.map((k: { kid: string }) => k.kid));
    const kidOfNewToken = async () => jose.decodeProtectedHeader(await h.accessToken(sa.clientId, sa.clientSecret)).kid;
    // Published at once, but the old key signs for PUBLISH_AHEAD_SECONDS more.
    expect(await kids()).toEqual([newKid, oldKid]);
    expect(await kidOfNewToken()).toBe(oldKid);
    h.clock.advance(PUBLISH_AHEAD_SECONDS - 1);
    expect(await kidOfNewToken()).toBe(oldKid);
    h.clock.advance(1);
    const newToken = await h.accessToken(sa.clientId, sa.clientSecret);
    expect(jose.decodeProtectedHeader(newToken).kid).toBe(newKid);
    expect((await h.api('GET', '/api/v1/audit-events', oldToken)).statusCode).toBe(200);
    expect((await h.api('GET', '/api/v1/audit-events', newToken)).statusCode).toBe(200);
    // The retired key stays published for the longest token lifetime (3600 s) after it stopped signing.
    h.clock.advance(3599);
    await h.gh.services.keys.reload();
    expect(await kids()).toEqual([newKid, oldKid]);
    h.clock.advance(1);
    await h.gh.services.keys.reload();
    expect(await kids()).toEqual([newKid]);
  });

  it('the schedule rotates a key older than the configured age, once, however many instances ask', async () => {
    const keys = h.gh.services.keys;
    expect(await keys.rotateIfOlderThan(0)).toBeNull(); // 0: the schedule is off
    expect(await keys.rotateIfOlderThan(30)).toBeNull(); // the newest key is young
    h.clock.advance(31 * 86_400);
    const results = await Promise.all([keys.rotateIfOlderThan(30), keys.rotateIfOlderThan(30), keys.rotateIfOlderThan(30)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('keeps private keys encrypted at rest', async () => {
    const rows = await h.gh.db.query<{ private_ciphertext: string; public_jwk: Record<string, unknown> }>(
      'SELECT private_ciphertext, public_jwk FROM signing_keys',
    );
    for (const r of rows) {
      expect(r.private_ciphertext).toMatch(/^v1\./);
      expect(r.private_ciphertext).not.toContain('"d"');
      expect(r.public_jwk.d).toBeUndefined();
    }
    const [key] = await h.gh.db.query<{ ciphertext: string }>("SELECT ciphertext FROM server_keys WHERE name = 'secret-hashing'");
    expect(key!.ciphertext).toMatch(/^v1\./);
  });
});

/** A wall clock stepped back (NTP, a restored VM) must not turn every grant into a 500. */
describe('signing when the clock steps back', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps granting when the wall clock steps back before every key was activated', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    const before = h.clock.now();
    await h.gh.services.keys.rotate({ publishAheadSeconds: 0 });
    h.clock.set(new Date(before.getTime() - 86_400_000)); // a day before the newest key's activation
    try {
      const token = await h.accessToken(sa.clientId, sa.clientSecret);
      expect((await h.api('GET', '/api/v1/audit-events', token)).statusCode).toBe(200);
    } finally {
      h.clock.set(before);
    }
  });
});
