import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, startHarness, type Harness } from '../support/harness.js';

/**
 * RFC 9110 §15.5.2: a server generating a 401 MUST send WWW-Authenticate. This walks every
 * operation of /openapi.json (so a new route is covered without being listed here) with no
 * credentials, a bad bearer token and a bad session cookie, plus the 401s only reached with a
 * body (failed client authentication, a failed sign-in), and checks each 401's challenge names the
 * scheme that door speaks: Basic at the token endpoint, Bearer on APIs and the state feed,
 * Cookie (draft-broyer-http-cookie-auth) on the console API.
 */
describe('every 401 carries WWW-Authenticate', () => {
  let h: Harness;
  const seen: Array<{ what: string; url: string; res: LightMyRequestResponse }> = [];
  const send = async (what: string, opts: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }) => {
    const res = (await h.gh.app.inject(opts as never)) as unknown as LightMyRequestResponse;
    seen.push({ what, url: opts.url, res });
    return res;
  };

  beforeAll(async () => {
    h = await startHarness({
      env: {
        GATEHOUSE_METRICS_TOKEN: 'metrics-token-0123456789',
        GATEHOUSE_RESOURCE_SERVER_TOKENS: `edge:${'r'.repeat(40)}`,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectedScheme = (url: string): RegExp => {
    if (url.startsWith('/api/v1/auth/token')) return /^Basic realm="gatehouse"/;
    if (url.startsWith('/console/api/')) return /^Cookie realm="gatehouse", form-action="\/console\/api\/session"/;
    return /^Bearer realm="gatehouse"/;
  };

  it('walks every documented operation with bad or missing credentials', async () => {
    const doc = (await h.gh.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const { method, path } of operations) {
      const url = path.replace('{orgId}', h.orgId).replace(/\{[^}]+\}/g, 'svc_01EXAMPLE00000000000000000');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {};
      await send(`${method} ${path} (nothing)`, { method, url, ...body });
      await send(`${method} ${path} (bad bearer)`, { method, url, headers: { authorization: 'Bearer not-a-token' }, ...body });
      await send(`${method} ${path} (bad cookie)`, { method, url, headers: { cookie: 'gatehouse_session=not-a-session' }, ...body });
    }
  });

  it('reaches the 401s that need a body: failed client authentication and a failed sign-in', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    await send('token: wrong secret in the body', {
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: 'ghcs_wrong' },
    });
    await send('token: no client authentication', { method: 'POST', url: '/api/v1/auth/token', payload: 'grant_type=client_credentials', headers: form });
    await send('token: wrong secret over Basic', {
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: 'grant_type=client_credentials',
      headers: { ...form, authorization: `Basic ${Buffer.from(`${sa.clientId}:wrong`).toString('base64')}` },
    });
    await send('token: a Bearer header', {
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: 'grant_type=client_credentials',
      headers: { ...form, authorization: 'Bearer x' },
    });
    await send('console: wrong password', {
      method: 'POST',
      url: '/console/api/session',
      payload: { email: ADMIN_EMAIL, password: 'not the password at all' },
    });
    await send('state feed: wrong credential', { method: 'GET', url: '/api/v1/state-feed', headers: { authorization: `Bearer ${'x'.repeat(40)}` } });
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/disable`);
    await send("api: a disabled account's token", { method: 'GET', url: '/api/v1/governance/findings', headers: { authorization: `Bearer ${token}` } });
  });

  it('every 401 seen has the challenge of its door', () => {
    const unauthorized = seen.filter((s) => s.res.statusCode === 401);
    const missing = unauthorized.filter((s) => !expectedScheme(s.url).test(String(s.res.headers['www-authenticate'] ?? '')));
    expect(missing.map((s) => `${s.what}: ${String(s.res.headers['www-authenticate'])}`)).toEqual([]);
    // Each door answered 401 at least once, so none of them went untested.
    const doors = (prefix: string) => unauthorized.filter((s) => s.what.includes(` ${prefix}`) || s.what.startsWith(prefix)).length;
    expect(doors('/api/v1/auth/token') + doors('token:')).toBeGreaterThanOrEqual(4);
    expect(doors('/console/api/')).toBeGreaterThan(10);
    expect(doors('console:')).toBe(1);
    expect(doors('/api/v1/governance/')).toBeGreaterThan(10);
    expect(doors('/sbom/v1/')).toBeGreaterThan(0);
    expect(doors('state feed:')).toBe(1);
    // And every 401 is also in the documented JSON shape (§10).
    for (const s of unauthorized) expect(Object.keys(s.res.json()).sort(), s.what).toEqual(['error', 'error_description']);
  });

  it('/metrics answers 404, not 401, to a wrong token (by design: it does not advertise itself); revocation takes no client authentication', async () => {
    expect((await h.api('GET', '/metrics', 'wrong-token')).statusCode).toBe(404);
    const revoke = await h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/revoke',
      payload: { token: 'ghrt_unknown' },
      headers: { authorization: 'Basic Og==' },
    });
    expect(revoke.statusCode).toBe(200);
  });
});
