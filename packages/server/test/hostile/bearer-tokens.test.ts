import crypto from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, startHarness, type Harness } from '../support/harness.js';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** §5: every forged, damaged or stale bearer token is a 401 with `error="invalid_token"`. */
describe('bearer tokens: forgeries and damage', () => {
  let h: Harness;
  let sa: { clientId: string; clientSecret: string };
  let good: string;
  let claims: jose.JWTPayload;
  let kid: string;
  const URL = '/api/v1/audit-events';

  beforeAll(async () => {
    h = await startHarness();
    sa = await h.createServiceAccount(['audit-log:read']);
    good = await h.accessToken(sa.clientId, sa.clientSecret);
    claims = jose.decodeJwt(good);
    kid = jose.decodeProtectedHeader(good).kid!;
  });
  afterAll(async () => { await h?.close(); });

  /** Signs `payload` with the server's real key, so the ONE defect under test is the only one. */
  const signReal = (header: Record<string, unknown>, payload: jose.JWTPayload) =>
    new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, ...header }).sign(h.gh.services.keys.active().privateKey);

  const expect401 = async (token: string, label: string) => {
    const res = await h.api('GET', URL, token);
    expect(res.statusCode, label).toBe(401);
    expect(res.headers['www-authenticate'], label).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(res.json().error, label).toBe('invalid_token');
  };

  it('the unaltered token works (control)', async () => {
    expect((await h.api('GET', URL, good)).statusCode).toBe(200);
    expect((await h.api('GET', URL, await signReal({}, claims))).statusCode).toBe(200);
  });

  it('missing and malformed Authorization headers', async () => {
    for (const authorization of [undefined, '', 'Bearer', 'Bearer ', `Basic ${good}`, `Bearer ${good} extra`, 'Bearer not.a.jwt']) {
      const res = await h.gh.app.inject({ method: 'GET', url: URL, headers: authorization === undefined ? {} : { authorization } });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it('alg: none', async () => {
    await expect401(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`, 'alg none');
  });

  it('HS256 signed with the server public key as the HMAC secret (key confusion)', async () => {
    const jwk = (await h.gh.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0];
    const pem = crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
      const sig = crypto.createHmac('sha256', secret).update(input).digest('base64url');
      await expect401(`${input}.${sig}`, 'HS256 confusion');
    }
  });

  it('a tampered payload keeps no signature', async () => {
    const [head, , sig] = good.split('.');
    await expect401(`${head}.${b64({ ...claims, scope: 'audit-log:read webhooks:manage' })}.${sig}`, 'tampered');
  });

  it('a token signed by another key under the same kid', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256');
    const forged = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    await expect401(forged, 'foreign key');
  });

  it('an unknown kid', async () => {
    await expect401(await signReal({ kid: 'key_unknown' }, claims), 'unknown kid');
  });

  it('the wrong issuer, the wrong audience, the wrong typ', async () => {
    await expect401(await signReal({}, { ...claims, iss: 'https://evil.example' }), 'issuer');
    await expect401(await signReal({}, { ...claims, aud: 'https://other-api.example' }), 'audience');
    await expect401(await signReal({ typ: 'JWT' }, claims), 'typ JWT');
    await expect401(await signReal({ typ: undefined }, claims), 'no typ');
  });

  it('a token without an expiry, and one for another organization than its account', async () => {
    const { exp: _exp, ...noExp } = claims;
    await expect401(await signReal({}, noExp), 'no exp');
    await expect401(await signReal({}, { ...claims, org_id: 'org_01EXAMPLE00000000000000000' }), 'org mismatch');
  });

  it('an expired token', async () => {
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    h.clock.advance(901);
    await expect401(token, 'expired');
    expect(ISSUER).toBe(claims.iss);
  });
});
