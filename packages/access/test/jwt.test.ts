import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessDenial, VerifiedTokens, verifyAccessToken, type AccessTokenClaims } from '../src/index.js';

const ISS = 'https://gatehouse.test';
const NOW = 1_780_000_000;
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = (kid: string) => (kid === 'key_1' ? publicKey : undefined);
const expectations = { issuer: ISS, audience: ISS };

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const claims: AccessTokenClaims = {
  iss: ISS,
  sub: 'svc_A',
  aud: ISS,
  client_id: 'svc_A',
  scope: 'a:read',
  iat: NOW - 5,
  exp: NOW + 895,
  jti: 'at_1',
  org_id: 'org_1',
  epoch: 0,
};
const HEADER = { alg: 'ES256', typ: 'at+jwt', kid: 'key_1' };

/** Signs with the real key (ES256, R || S), so each case below carries exactly one defect. */
function sign(header: Record<string, unknown>, payload: Record<string, unknown>, key = privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
const without = (o: Record<string, unknown>, k: string) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));

const verify = (token: string) => verifyAccessToken(token, keys, expectations, NOW);
const refused = async (token: string) => {
  const err = await verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccessDenial);
  expect(err).toMatchObject({ status: 401, code: 'invalid_token' });
};

describe('verifyAccessToken: the allow-list of checks (RFC 9068 §4, RFC 8725)', () => {
  it('accepts the well-formed token (control), and typ application/at+jwt', async () => {
    expect(await verify(sign(HEADER, { ...claims }))).toMatchObject({ sub: 'svc_A', scope: 'a:read' });
    expect(await verify(sign({ ...HEADER, typ: 'application/at+jwt' }, { ...claims }))).toMatchObject({ sub: 'svc_A' });
    expect(await verify(sign(HEADER, { ...claims, aud: ['https://x.test', ISS], nbf: NOW }))).toMatchObject({ sub: 'svc_A' });
  });

  const cases: Array<[string, () => string]> = [
    ['alg none', () => `${b64({ ...HEADER, alg: 'none' })}.${b64(claims)}.`],
    [
      'alg HS256 with the public key as secret',
      () => {
        const input = `${b64({ ...HEADER, alg: 'HS256' })}.${b64(claims)}`;
        const pem = publicKey.export({ type: 'spki', format: 'pem' });
        return `${input}.${crypto.createHmac('sha256', pem).update(input).digest('base64url')}`;
      },
    ],
    ['alg ES384 claimed on an ES256 signature', () => sign({ ...HEADER, alg: 'ES384' }, { ...claims })],
    ['typ JWT', () => sign({ ...HEADER, typ: 'JWT' }, { ...claims })],
    ['no typ', () => sign(without(HEADER, 'typ'), { ...claims })],
    ['crit present', () => sign({ ...HEADER, crit: ['exp'] }, { ...claims })],
    ['crit empty', () => sign({ ...HEADER, crit: [] }, { ...claims })],
    ['no kid', () => sign(without(HEADER, 'kid'), { ...claims })],
    ['unknown kid', () => sign({ ...HEADER, kid: 'key_2' }, { ...claims })],
    ['signed by another key under the same kid', () => sign(HEADER, { ...claims }, other.privateKey)],
    [
      'tampered payload',
      () => {
        const [h, , s] = sign(HEADER, { ...claims }).split('.');
        return `${h}.${b64({ ...claims, scope: 'a:read b:write' })}.${s}`;
      },
    ],
    [
      'DER signature instead of R || S',
      () => {
        const input = `${b64(HEADER)}.${b64(claims)}`;
        return `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
      },
    ],
    ['wrong issuer', () => sign(HEADER, { ...claims, iss: 'https://evil.test' })],
    ['wrong audience', () => sign(HEADER, { ...claims, aud: 'https://other.test' })],
    ['audience list without ours', () => sign(HEADER, { ...claims, aud: ['https://other.test'] })],
    ['no exp', () => sign(HEADER, without({ ...claims }, 'exp'))],
    ['exp as a string', () => sign(HEADER, { ...claims, exp: String(NOW + 60) })],
    ['expired', () => sign(HEADER, { ...claims, exp: NOW - 1 })],
    ['expiring at this second', () => sign(HEADER, { ...claims, exp: NOW })],
    ['nbf in the future', () => sign(HEADER, { ...claims, nbf: NOW + 60 })],
    ['nbf not a number', () => sign(HEADER, { ...claims, nbf: 'soon' })],
    ['no iat', () => sign(HEADER, without({ ...claims }, 'iat'))],
    ['iat not a number', () => sign(HEADER, { ...claims, iat: 'yesterday' })],
    ['no sub', () => sign(HEADER, without({ ...claims }, 'sub'))],
    ['no scope', () => sign(HEADER, without({ ...claims }, 'scope'))],
    ['no epoch', () => sign(HEADER, without({ ...claims }, 'epoch'))],
    ['orgs not a list of strings', () => sign(HEADER, { ...claims, orgs: [1] })],
    ['not three parts', () => 'abc.def'],
    [
      'a payload that is not JSON',
      () => {
        const [h, , s] = sign(HEADER, { ...claims }).split('.');
        return `${h}.${b64('not json')}.${s}`;
      },
    ],
    ['too long', () => sign(HEADER, { ...claims, pad: 'x'.repeat(9000) })],
  ];
  it.each(cases)('refuses: %s', async (_name, make) => {
    await refused(make());
  });
});

describe('several accepted audiences (a catalogue of several APIs, [C3])', () => {
  const several = { issuer: ISS, audience: ['https://orders.test', ISS] };
  it('accepts a token whose aud names any of them, and refuses one naming none', async () => {
    for (const aud of ['https://orders.test', ISS, ['https://x.test', 'https://orders.test']]) {
      await expect(verifyAccessToken(sign(HEADER, { ...claims, aud }), keys, several, NOW)).resolves.toMatchObject({ aud });
    }
    for (const aud of ['https://other.test', ['https://other.test'], 42]) {
      await expect(verifyAccessToken(sign(HEADER, { ...claims, aud }), keys, several, NOW)).rejects.toMatchObject({ status: 401 });
    }
  });
});

describe('VerifiedTokens: the verified-token cache', () => {
  it('hits only the identical string, and forgets a token once it has expired (401)', async () => {
    const cache = new VerifiedTokens(10);
    const token = sign(HEADER, { ...claims });
    const entry = cache.add(token, await verify(token), NOW);
    expect(cache.get(token, NOW)).toBe(entry);
    const [h, , s] = token.split('.');
    expect(cache.get(`${h}.${b64({ ...claims, scope: 'x' })}.${s}`, NOW)).toBeUndefined();
    expect(() => cache.get(token, claims.exp)).toThrow(expect.objectContaining({ status: 401 }));
    expect(cache.get(token, NOW)).toBeUndefined();
  });

  it('stays bounded: expired entries go first, then the oldest half', () => {
    const cache = new VerifiedTokens(4);
    for (let i = 0; i < 10; i++) cache.add(`t.${i}.sig${i}`, { ...claims, exp: NOW + i }, NOW);
    expect(cache.size).toBeLessThanOrEqual(4);
  });
});
