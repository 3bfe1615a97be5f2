import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/** §10 for the endpoints of credential model B: every hostile input is a clear JSON 4xx that changes nothing. */
describe('hostile input to members, refresh tokens, revocation and SBOM', () => {
  let h: Harness;
  let token: string;
  let memberId: string;
  beforeAll(async () => {
    h = await startHarness();
    token = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
    memberId = (await h.addUser('viewer')).userId;
  });
  afterAll(async () => {
    await h?.close();
  });

  const HOSTILE: unknown[] = [
    null,
    [],
    'a string',
    42,
    true,
    { __proto__: { role: 'owner' } },
    { constructor: { prototype: { admin: true } } },
    { email: 'x@example.test', role: 'owner', extra: 1 },
    { email: { $ne: null }, role: 'member' },
    { email: 'x@example.test', role: ['owner'] },
    { name: 'x'.repeat(10_000) },
    { name: '\u0000' },
    { name: 'bucket', description: 'd'.repeat(5000) },
    { name: 'ok-name', scopes: 'audit-log:read' },
    { name: 'ok', orgIds: [`org_${'0'.repeat(26)}`, "' OR 1=1 --"] },
    { role: 'owner; DROP TABLE users' },
  ];

  const snapshot = async () =>
    JSON.stringify([
      (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`)).json(),
      (await h.owner.request('GET', '/console/api/me/refresh-tokens')).json().items.map((t: { id: string }) => t.id),
      (await h.api('GET', `/sbom/v1/orgs/${h.orgId}/buckets`, token)).json(),
      (await h.owner.request('GET', '/console/api/orgs')).json(),
    ]);

  it('answers every hostile body with a JSON 4xx and changes nothing', async () => {
    const before = await snapshot();
    const org = `/console/api/orgs/${h.orgId}`;
    const consoleTargets: Array<[string, string]> = [
      ['POST', '/console/api/orgs'],
      ['PATCH', org],
      ['POST', `${org}/invitations`],
      ['PATCH', `${org}/members/${memberId}`],
      ['POST', '/console/api/me/refresh-tokens'],
    ];
    for (const [method, url] of consoleTargets) {
      for (const body of HOSTILE) {
        const res = await h.owner.request(method, url, body === null ? 'null' : body);
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.json()).toEqual({ error: expect.any(String), error_description: expect.any(String) });
      }
    }
    for (const body of HOSTILE) {
      const sent = body === null ? 'null' : body;
      const res = await h.api('POST', `/sbom/v1/orgs/${h.orgId}/buckets`, token, sent);
      // A bare string is sent as text/plain: 415; everything else is a 400.
      expect(res.statusCode).toBe(typeof sent === 'string' ? 415 : 400);
      expect(res.json().error).toBe(typeof sent === 'string' ? 'unsupported_media_type' : 'invalid_request');
    }
    expect(await snapshot()).toBe(before);
  });

  it('odd path parameters are 400 or 404, never 500', async () => {
    const weird = ['..%2F..%2Fetc%2Fpasswd', `usr_${'A'.repeat(300)}`, '%00', `org_01${'Z'.repeat(24)}`, "usr_'; DROP TABLE users; --"];
    for (const id of weird) {
      for (const [method, url] of [
        ['PATCH', `/console/api/orgs/${h.orgId}/members/${id}`],
        ['DELETE', `/console/api/orgs/${h.orgId}/members/${id}`],
        ['DELETE', `/console/api/me/refresh-tokens/${id}`],
        ['GET', `/console/api/orgs/${id}/members`],
      ] as const) {
        const res = await h.owner.request(method, url, method === 'PATCH' ? { role: 'viewer' } : undefined);
        expect([400, 404, 414], `${method} ${url}`).toContain(res.statusCode);
      }
      for (const url of [`/sbom/v1/orgs/${id}/buckets`, `/sbom/v1/orgs/${h.orgId}/buckets/${id}`]) {
        expect([400, 404, 414], url).toContain((await h.api('GET', url, token)).statusCode);
      }
    }
  });

  it('refresh and revocation requests with hostile parameters get RFC 6749 errors, and no token string is echoed', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const cases: Array<Record<string, unknown>> = [
      { grant_type: 'refresh_token', refresh_token: ['a', 'b'] },
      { grant_type: 'refresh_token', refresh_token: { $gt: '' } },
      { grant_type: 'refresh_token', refresh_token: 'x'.repeat(5000) },
      { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'sbom.buckets:read\u0000' },
      { grant_type: 'refresh_token', refresh_token: refreshToken.toUpperCase() },
    ];
    for (const payload of cases) {
      const res = await h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: payload as Record<string, string> });
      expect(res.statusCode).toBe(400);
      expect(['invalid_request', 'invalid_grant', 'invalid_scope']).toContain(res.json().error);
      expect(res.body).not.toContain(refreshToken.slice(5));
    }
    const revoke = await h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/revoke',
      payload: { token: { nested: true } } as unknown as Record<string, string>,
    });
    expect(revoke.statusCode).toBe(400);
    expect((await h.refresh(refreshToken)).statusCode).toBe(200); // nothing above harmed it
  });
});
