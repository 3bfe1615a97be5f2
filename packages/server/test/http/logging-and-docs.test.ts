import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/** §10: no secret in any log line; OpenAPI, health and request ids (issue: "OpenAPI 3.1 ... logs"). */
describe('logs, OpenAPI and health', () => {
  let h: Harness;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    h = await startHarness({ logger: { level: 'trace', stream } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a whole credential lifecycle leaves no secret, token, password or cookie in the logs', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    await h.api('GET', '/api/v1/audit-events', token);
    await h.api('GET', '/api/v1/audit-events', `${token}x`);
    await h.token(clientId, `${clientSecret}x`);
    await h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    const rotated = (await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/rotate-secret`, {})).json();
    await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email: 'owner@example.test', password: 'wrong password here' } });

    expect(lines.length).toBeGreaterThan(10);
    const all = lines.join('\n');
    const cookieValue = h.owner.cookie.split('=')[1]!;
    for (const secret of [clientSecret, rotated.clientSecret, token, ADMIN_PASSWORD, 'wrong password here', cookieValue, h.owner.csrfToken]) {
      expect(all).not.toContain(secret);
    }
    // Every request line carries a request id.
    const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.req);
    expect(requestLines.length).toBeGreaterThan(0);
    for (const l of requestLines) expect(l.reqId).toEqual(expect.any(String));
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await h.gh.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const made = await h.gh.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^req_/);
  });

  it('/ serves the console, or before `npm run build` says what the server is (test/browser/serving.test.ts has both)', async () => {
    const res = await h.gh.app.inject({ method: 'GET', url: '/' });
    if (String(res.headers['content-type']).startsWith('text/html')) expect(res.body).toContain('<div id="root">');
    else expect(res.json()).toMatchObject({ name: 'Gatehouse', openapi: 'http://gatehouse.test/openapi.json' });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('/healthz and /readyz answer; unknown routes are a JSON 404', async () => {
    expect((await h.gh.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.gh.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const missing = await h.gh.app.inject({ method: 'GET', url: '/nope?token=abc' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', error_description: 'no route for GET /nope' });
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas, with no secret fields in responses but the one-time ones', async () => {
    const doc = (await h.gh.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/auth/token',
      '/console/api/session',
      '/console/api/orgs/{orgId}/service-accounts',
      '/console/api/orgs/{orgId}/service-accounts/{id}/rotate-secret',
      '/api/v1/audit-events',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    const listSchema = JSON.stringify(doc.paths['/console/api/orgs/{orgId}/service-accounts'].get.responses['200']);
    expect(listSchema).not.toMatch(/clientSecret|hash/i);
  });

  it('JWKS and discovery are public and cacheable; the JWKS holds one ES256 public key', async () => {
    const jwks = await h.gh.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.headers['cache-control']).toMatch(/max-age/);
    const { keys } = jwks.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.stringMatching(/^key_/) });
    expect(keys[0].d).toBeUndefined();
  });
});
