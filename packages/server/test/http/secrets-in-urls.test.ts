import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Hardening item 6 and §10: a credential a client wrongly puts in a URL (or a header we do not
 * use) never reaches a log line or an error description; the token and revocation endpoints
 * refuse it outright (RFC 6749 §2.3.1).
 */
describe('secrets in URLs never reach the log', () => {
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

  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('refuses client_secret, refresh_token or token in the query string of the token and revocation endpoints with 400 invalid_request', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const { refreshToken } = await h.createRefreshToken();
    const cases = [
      // Even a request whose body alone would succeed: the secret has already been exposed.
      {
        url: `/api/v1/auth/token?client_secret=${clientSecret}`,
        payload: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
        secret: clientSecret,
      },
      { url: `/api/v1/auth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`, payload: '', secret: clientSecret },
      { url: `/api/v1/auth/token?refresh_token=${refreshToken}`, payload: 'grant_type=refresh_token', secret: refreshToken },
      { url: `/api/v1/auth/token?client%5Fsecret=${clientSecret}`, payload: `grant_type=client_credentials&client_id=${clientId}`, secret: clientSecret },
      { url: `/api/v1/auth/revoke?token=${refreshToken}`, payload: `token=${refreshToken}`, secret: refreshToken },
    ];
    for (const c of cases) {
      const res = await h.gh.app.inject({ method: 'POST', url: c.url, headers: form, payload: c.payload });
      expect(res.statusCode, c.url).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(res.json().error_description).toMatch(/must not be sent in the URL/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).not.toContain(c.secret);
    }
    // Nothing happened: the refresh token was neither used nor revoked, and still works.
    expect((await h.refresh(refreshToken)).statusCode).toBe(200);
    expect((await h.token(clientId, clientSecret)).statusCode).toBe(200);
    // Without a credential in the query, the endpoint is unchanged.
    const plain = await h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token?foo=bar',
      headers: form,
      payload: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
    });
    expect(plain.statusCode).toBe(200);
    const all = lines.join('\n');
    expect(all).not.toContain(clientSecret);
    expect(all).not.toContain(refreshToken);
  });

  it('logs the path of every request but never its query, a Referer, a User-Agent or a secret-shaped path segment', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const accessToken = await h.accessToken(clientId, clientSecret);
    const { refreshToken } = await h.createRefreshToken();
    const code = 'AUTHCODE-0f6c1d2e3b4a59687766554433221100';
    const inHeaders = 'ghcs_HEADERSECRET0123456789abcdefghijklmnopq';
    const inPath = 'ghiv_PATHSECRET0123456789abcdefghijklmnopqrst';
    const q = `?client_secret=${clientSecret}&access_token=${accessToken}&refresh_token=${refreshToken}&code=${code}`;
    const before = lines.length;
    const responses = [
      await h.gh.app.inject({
        method: 'POST',
        url: `/api/v1/auth/token?access_token=${accessToken}&code=${code}`,
        headers: form,
        payload: 'grant_type=client_credentials',
      }),
      await h.gh.app.inject({ method: 'GET', url: `/api/v1/audit-events${q}` }),
      await h.gh.app.inject({ method: 'GET', url: `/api/v1/audit-events?access_token=${accessToken}`, headers: { authorization: `Bearer ${accessToken}` } }),
      await h.gh.app.inject({ method: 'GET', url: `/sbom/v1/orgs/${h.orgId}/buckets${q}` }),
      await h.gh.app.inject({ method: 'GET', url: `/no/such/route${q}` }),
      await h.gh.app.inject({ method: 'GET', url: `/console/api/me${q}` }),
      await h.owner.request('GET', `/console/api/orgs${q}`),
      await h.gh.app.inject({ method: 'GET', url: `/api/v1/state-feed?heartbeatMs=${clientSecret}` }),
      await h.gh.app.inject({ method: 'GET', url: `/bad%E0%A4%A/path${q}` }),
      await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${inPath}?code=${code}` }),
      await h.gh.app.inject({
        method: 'GET',
        url: '/.well-known/jwks.json',
        headers: { referer: `https://app.example/cb?client_secret=${inHeaders}`, 'user-agent': `curl ${inHeaders}` },
      }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([400, 401, 400, 401, 404, 401, 200, 401, 400, 404, 200]);
    for (const res of responses) {
      for (const secret of [clientSecret, accessToken, refreshToken, code, inHeaders, inPath]) expect(res.body).not.toContain(secret);
    }
    expect(responses[4]!.json().error_description).toBe('no route for GET /no/such/route');

    const logged = lines.slice(before);
    const all = logged.join('\n');
    for (const secret of [clientSecret, accessToken, refreshToken, code, inHeaders, inPath, 'client_secret=', 'access_token=', 'refresh_token=', 'code=']) {
      expect(all).not.toContain(secret);
    }
    // The path is still there, for every request (the state feed logs at warn level only).
    const urls = logged
      .map((l) => JSON.parse(l))
      .filter((l) => l.req)
      .map((l) => l.req.url);
    for (const path of [
      '/api/v1/auth/token',
      '/api/v1/audit-events',
      `/sbom/v1/orgs/${h.orgId}/buckets`,
      '/no/such/route',
      '/console/api/me',
      '/console/api/orgs',
      '/bad%E0%A4%A/path',
      '/console/api/invitations/ghiv_[redacted]',
      '/.well-known/jwks.json',
    ]) {
      expect(urls).toContain(path);
    }
  });
});
