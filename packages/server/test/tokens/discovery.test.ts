import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * RFC 8414 discovery as a third-party client sees it: oauth4webapi's `discoveryRequest`
 * (`algorithm: 'oauth2'`, which inserts the well-known segment before the issuer's path, §3.1) and
 * `processDiscoveryResponse` (which insists the `issuer` member equals the issuer it was given).
 * Requests go into the server through `inject`, like a reverse proxy that strips the issuer's
 * path: the server itself is mounted at the root.
 */
function throughProxy(h: Harness, issuer: string): typeof fetch {
  const { origin, pathname } = new URL(issuer);
  const prefix = pathname.replace(/\/+$/, '');
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    expect(url.origin).toBe(origin);
    let path = url.pathname;
    if (prefix && path.startsWith(`${prefix}/`)) path = path.slice(prefix.length);
    const res = await h.gh.app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: `${path}${url.search}`,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(init?.body ? { payload: String(init.body) } : {}),
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers });
  }) as typeof fetch;
}

describe.each([
  ['without a path', 'https://gatehouse.test'],
  ['with a path (RFC 8414 §3.1)', 'https://gatehouse.test/auth'],
  ['with a deeper path', 'https://gatehouse.test/tenants/auth'],
])('discovery for an issuer %s', (_label, issuer) => {
  let h: Harness;
  let customFetch: typeof fetch;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_ISSUER: issuer } });
    customFetch = throughProxy(h, issuer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('oauth4webapi discovers it, and the metadata names the configured issuer exactly', async () => {
    const issuerUrl = new URL(issuer);
    const response = await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', [oauth.customFetch]: customFetch });
    expect(response.status).toBe(200);
    const as = await oauth.processDiscoveryResponse(issuerUrl, response);
    expect(as.issuer).toBe(issuer);
    expect(as.token_endpoint).toBe(`${issuer}/api/v1/auth/token`);
    expect(as.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`);
  });

  it('a client uses what it discovered: a token whose iss is the issuer', async () => {
    const issuerUrl = new URL(issuer);
    const as = await oauth.processDiscoveryResponse(
      issuerUrl,
      await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', [oauth.customFetch]: customFetch }),
    );
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const client: oauth.Client = { client_id: sa.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(sa.clientSecret), {}, { [oauth.customFetch]: customFetch });
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8')) as { iss: string };
    expect(claims.iss).toBe(issuer);
  });

  it('the plain well-known URL is served too, with the same document', async () => {
    const plain = await h.gh.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(plain.statusCode).toBe(200);
    expect(plain.json().issuer).toBe(issuer);
  });
});

describe('an issuer is checked at start (RFC 8414 §2)', () => {
  it.each([
    ['a query', 'https://gatehouse.test/auth?tenant=1'],
    ['a fragment', 'https://gatehouse.test/auth#x'],
    ['credentials', 'https://user:pw@gatehouse.test'],
    ['a scheme other than http(s)', 'ftp://gatehouse.test'],
    ['a path with a route pattern character', 'https://gatehouse.test/:tenant'],
  ])('one with %s is refused with a clear message', (_label, issuer) => {
    expect(() => loadConfig({ GATEHOUSE_ISSUER: issuer })).toThrow(/GATEHOUSE_ISSUER/);
  });

  it('a trailing slash is dropped, so the issuer and its path-inserted URL stay canonical', () => {
    expect(loadConfig({ GATEHOUSE_ISSUER: 'https://gatehouse.test/auth/' }).config.issuer).toBe('https://gatehouse.test/auth');
  });
});
