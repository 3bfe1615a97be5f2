import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/**
 * GATEHOUSE_TRUST_PROXY names the proxies whose X-Forwarded-For is believed: a hop count or their
 * addresses. Behind one proxy the client's address is the rightmost entry (the one the proxy
 * appended); anything to its left was written by the client and is never believed.
 */
const PROXY = '10.0.0.2';
const CLIENT = '203.0.113.9';

async function signIn(h: Harness, password: string, forged: string, from = PROXY, client = CLIENT) {
  return h.gh.app.inject({
    method: 'POST',
    url: '/console/api/session',
    remoteAddress: from,
    headers: { 'x-forwarded-for': `${forged}, ${client}` },
    payload: { email: ADMIN_EMAIL, password },
  });
}

async function lastSignInIp(h: Harness): Promise<string> {
  const res = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?action=session.sign_in&limit=1`);
  return (res.json() as { items: Array<{ ip: string }> }).items[0]!.ip;
}

describe.each([
  ['a hop count', '1'],
  ['the proxy addresses', '10.0.0.0/8,127.0.0.1'],
])('behind one proxy, trusted by %s', (_name, trustProxy) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { GATEHOUSE_TRUST_PROXY: trustProxy, GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS: '3/0.1', GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '3/0.1' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a forged leftmost X-Forwarded-For neither dodges the sign-in limit nor lands in the audit log', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(h, 'wrong', `198.51.100.${i}`)).statusCode).toBe(401);
    const limited = await signIn(h, ADMIN_PASSWORD, '198.51.100.99');
    expect(limited.statusCode).toBe(429);
    // Another client behind the same proxy is its own address.
    expect((await signIn(h, ADMIN_PASSWORD, '198.51.100.98', PROXY, '203.0.113.10')).statusCode).toBe(200);
    expect(await lastSignInIp(h)).toBe('203.0.113.10');
  });
});

describe('a client that reaches Gatehouse directly, with proxy addresses trusted', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_TRUST_PROXY: '10.0.0.0/8' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is known by its own address whatever X-Forwarded-For it writes', async () => {
    expect((await signIn(h, ADMIN_PASSWORD, '198.51.100.1', '192.0.2.50', '10.0.0.7')).statusCode).toBe(200);
    expect(await lastSignInIp(h)).toBe('192.0.2.50');
  });
});

describe('GATEHOUSE_TRUST_PROXY', () => {
  it('is refused as `true`, with what to write instead', () => {
    expect(() => loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' })).toThrow(/number of proxies.*e\.g\. 1.*10\.0\.0\.0\/8/);
  });

  it.each(['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/2', 'yes'])('refuses %s', (value) => {
    expect(() => loadConfig({ GATEHOUSE_TRUST_PROXY: value })).toThrow(/GATEHOUSE_TRUST_PROXY/);
  });

  it('reads a hop count, addresses and CIDRs, or nothing', () => {
    expect(loadConfig({}).config.trustProxy).toBe(false);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: 'false' }).config.trustProxy).toBe(false);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '2' }).config.trustProxy).toBe(2);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).config.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'loopback',
    ]);
  });

  it('warns that a hop count trusts whoever connects, unless Gatehouse listens on loopback only', () => {
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '1' }).warnings).toEqual([]);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '1', GATEHOUSE_HOST: '0.0.0.0' }).warnings.join('\n')).toMatch(/reachable only through your proxies/);
  });
});
