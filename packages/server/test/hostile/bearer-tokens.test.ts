import crypto from 'node:crypto';
import { AccessDenied, createVerifier, type Verifier } from '@gatehouse/sdk';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startListening } from '../support/listening.js';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const URL = '/api/v1/audit-events';
const SCOPE = 'audit-log:read';
const CREDENTIAL = 'ghrs_hostile-bearer-credential-0123456789abcdef';

interface Answer {
  status: number;
  challenge: string | undefined;
  error: string | undefined;
}

/**
 * Where a bearer token is judged: the server's own API, or a resource server's SDK verifier
 * subscribed to the same server. Both make the access core's decision; both must refuse alike.
 */
interface Target {
  name: string;
  start(): Promise<{ h: Harness; call(authorization: string | undefined): Promise<Answer>; close(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'the server (GET /api/v1/audit-events)',
    async start() {
      const h = await startHarness();
      return {
        h,
        async call(authorization) {
          const res = await h.gh.app.inject({ method: 'GET', url: URL, headers: authorization === undefined ? {} : { authorization } });
          const body = res.statusCode === 200 ? {} : res.json();
          return { status: res.statusCode, challenge: res.headers['www-authenticate'] as string | undefined, error: body.error };
        },
        close: () => h.close(),
      };
    },
  },
  {
    name: 'the SDK verifier (require audit-log:read)',
    async start() {
      const h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
      const v: Verifier = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, now: () => h.clock.now().getTime() });
      await v.start();
      return {
        h,
        async call(authorization) {
          try {
            await v.verify(authorization, { scope: SCOPE });
            return { status: 200, challenge: undefined, error: undefined };
          } catch (err) {
            if (!(err instanceof AccessDenied)) throw err;
            return { status: err.status, challenge: err.headers()['www-authenticate'], error: err.body().error };
          }
        },
        async close() {
          await v.close();
          await h.close();
        },
      };
    },
  },
];

/** What each hostile case gets to build its token from: a good token, its claims, the real key. */
interface Ctx {
  good: string;
  claims: jose.JWTPayload;
  kid: string;
  /** Signs with the server's real key (ES256, R || S), so the ONE defect under test is the only one. */
  signReal(header: Record<string, unknown>, payload: Record<string, unknown>): string;
  jwk: jose.JWK;
}

const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** §5: every forged, damaged or stale bearer token is a 401 with `error="invalid_token"`. One list, two targets. */
const HOSTILE: Array<[string, (c: Ctx) => string | undefined]> = [
  ['no Authorization header', () => undefined],
  ['an empty header', () => ''],
  ['"Bearer" alone', () => 'Bearer'],
  ['"Bearer " and nothing', () => 'Bearer '],
  ['the Basic scheme', (c) => `Basic ${c.good}`],
  ['a token followed by more', (c) => `Bearer ${c.good} extra`],
  ['not a JWT', () => 'Bearer not.a.jwt'],
  ['alg: none', (c) => `Bearer ${b64({ alg: 'none', typ: 'at+jwt', kid: c.kid })}.${b64(c.claims)}.`],
  [
    'HS256 with the public key (PEM) as the HMAC secret',
    (c) => {
      const pem = crypto.createPublicKey({ key: c.jwk as crypto.JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: c.kid })}.${b64(c.claims)}`;
      return `Bearer ${input}.${crypto.createHmac('sha256', pem).update(input).digest('base64url')}`;
    },
  ],
  [
    'HS256 with the JWK as the HMAC secret',
    (c) => {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: c.kid })}.${b64(c.claims)}`;
      return `Bearer ${input}.${crypto.createHmac('sha256', JSON.stringify(c.jwk)).update(input).digest('base64url')}`;
    },
  ],
  [
    'a tampered payload',
    (c) => {
      const [head, , sig] = c.good.split('.');
      return `Bearer ${head}.${b64({ ...c.claims, scope: 'audit-log:read webhooks:manage' })}.${sig}`;
    },
  ],
  [
    'signed by another key under the same kid',
    (c) => {
      const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: c.kid })}.${b64(c.claims)}`;
      return `Bearer ${input}.${crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  ],
  ['an unknown kid', (c) => `Bearer ${c.signReal({ kid: 'key_unknown' }, c.claims)}`],
  ['the wrong issuer', (c) => `Bearer ${c.signReal({}, { ...c.claims, iss: 'https://evil.example' })}`],
  ['the wrong audience', (c) => `Bearer ${c.signReal({}, { ...c.claims, aud: 'https://other-api.example' })}`],
  ['typ JWT', (c) => `Bearer ${c.signReal({ typ: 'JWT' }, c.claims)}`],
  ['no typ', (c) => `Bearer ${c.signReal({ typ: undefined }, c.claims)}`],
  ['a crit header (RFC 7515 §4.1.11)', (c) => `Bearer ${c.signReal({ crit: ['exp'] }, c.claims)}`],
  ['no expiry', (c) => `Bearer ${c.signReal({}, without(c.claims, 'exp'))}`],
  ['not valid before a future instant (nbf)', (c) => `Bearer ${c.signReal({}, { ...c.claims, nbf: (c.claims.iat ?? 0) + 600 })}`],
  ['no iat', (c) => `Bearer ${c.signReal({}, without(c.claims, 'iat'))}`],
  ['an iat that is not a number', (c) => `Bearer ${c.signReal({}, { ...c.claims, iat: 'yesterday' })}`],
  ["another organization than its account's", (c) => `Bearer ${c.signReal({}, { ...c.claims, org_id: 'org_01EXAMPLE00000000000000000' })}`],
  ['a stale token epoch (revoked by a disable) [A7]', (c) => `Bearer ${c.signReal({}, { ...c.claims, epoch: Number(c.claims.epoch) - 1 })}`],
];

describe.each(targets)('bearer tokens: forgeries and damage, at $name', (target) => {
  let t: Awaited<ReturnType<Target['start']>>;
  let sa: { clientId: string; clientSecret: string };
  let ctx: Ctx;

  beforeAll(async () => {
    t = await target.start();
    const { h } = t;
    sa = await h.createServiceAccount([SCOPE]);
    const good = await h.accessToken(sa.clientId, sa.clientSecret);
    const kid = jose.decodeProtectedHeader(good).kid!;
    const jwk = (await h.gh.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0];
    const privateKey = h.gh.services.keys.active().privateKey;
    ctx = {
      good,
      kid,
      jwk,
      claims: jose.decodeJwt(good),
      signReal(header, payload) {
        const h2 = Object.fromEntries(Object.entries({ alg: 'ES256', typ: 'at+jwt', kid, ...header }).filter(([, v]) => v !== undefined));
        const input = `${b64(h2)}.${b64(payload)}`;
        return `${input}.${crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
      },
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the unaltered token, and the same claims re-signed, work (control)', async () => {
    expect((await t.call(`Bearer ${ctx.good}`)).status).toBe(200);
    expect((await t.call(`Bearer ${ctx.signReal({}, ctx.claims)}`)).status).toBe(200);
  });

  it.each(HOSTILE)('%s: 401 invalid_token', async (label, make) => {
    const answer = await t.call(make(ctx));
    expect(answer.status, label).toBe(401);
    expect(answer.challenge, label).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(answer.error, label).toBe('invalid_token');
  });

  it('an expired token (last: it moves the clock)', async () => {
    const token = await t.h.accessToken(sa.clientId, sa.clientSecret);
    t.h.clock.advance(901);
    const answer = await t.call(`Bearer ${token}`);
    expect(answer).toMatchObject({ status: 401, error: 'invalid_token' });
  });
});
