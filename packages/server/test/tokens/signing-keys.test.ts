import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/** §4: signing keys rotate without breaking tokens in flight. */
describe('signing-key rotation', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h?.close(); });

  it('publishes the new key, signs with it, and keeps the retired key until its tokens have expired', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    const oldToken = await h.accessToken(sa.clientId, sa.clientSecret);
    const oldKid = jose.decodeProtectedHeader(oldToken).kid;
    const newKid = await h.gh.services.keys.rotate();
    const kids = () => h.gh.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }).then((r) => r.json().keys.map((k: { kid: string }) => k.kid));
    expect(await kids()).toEqual([newKid, oldKid]);
    const newToken = await h.accessToken(sa.clientId, sa.clientSecret);
    expect(jose.decodeProtectedHeader(newToken).kid).toBe(newKid);
    expect((await h.api('GET', '/api/v1/audit-events', oldToken)).statusCode).toBe(200);
    expect((await h.api('GET', '/api/v1/audit-events', newToken)).statusCode).toBe(200);
    // The retired key stays published for the longest token lifetime (3600 s), then goes.
    h.clock.advance(3599);
    await h.gh.services.keys.reload();
    expect(await kids()).toEqual([newKid, oldKid]);
    h.clock.advance(1);
    await h.gh.services.keys.reload();
    expect(await kids()).toEqual([newKid]);
  });

  it('keeps private keys encrypted at rest', async () => {
    const rows = await h.gh.db.query<{ private_ciphertext: string; public_jwk: Record<string, unknown> }>('SELECT private_ciphertext, public_jwk FROM signing_keys');
    for (const r of rows) {
      expect(r.private_ciphertext).toMatch(/^v1\./);
      expect(r.private_ciphertext).not.toContain('"d"');
      expect(r.public_jwk.d).toBeUndefined();
    }
    const [key] = await h.gh.db.query<{ ciphertext: string }>("SELECT ciphertext FROM server_keys WHERE name = 'secret-hashing'");
    expect(key!.ciphertext).toMatch(/^v1\./);
  });
});
