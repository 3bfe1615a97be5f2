import { stateUnavailable } from '@gatehouse/access';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, startHarness, type Harness } from '../support/harness.js';
import { bucketsCatalogue } from './catalogue-fixture.js';

/** §13 [F1] [F2] through Fastify inject: what a gateway's sub-request gets. */
const TEST_CATALOGUE = bucketsCatalogue(ISSUER, [
  {
    id: 'other',
    audience: 'https://other.example',
    scopes: [{ name: 'other:read', description: 'Read the other API.' }],
    routes: [{ method: 'GET', path: '/other/{id}', scope: 'other:read' }],
  },
]);

const logged: string[] = [];
let h: Harness;
let svcToken: string;
let svcId: string;

const forward = (method: string, uri: string, token?: string, family: 'forwarded' | 'original' = 'forwarded', extra: Record<string, string> = {}) =>
  h.gh.app.inject({
    method: 'GET',
    url: '/api/v1/auth/forward',
    headers: {
      ...(family === 'forwarded' ? { 'x-forwarded-method': method, 'x-forwarded-uri': uri } : { 'x-original-method': method, 'x-original-uri': uri }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
  });

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _enc, done) {
      logged.push(String(chunk));
      done();
    },
  });
  h = await startHarness({ catalogue: TEST_CATALOGUE, logger: { level: 'info', stream } });
  const sa = await h.createServiceAccount(['governance.findings:read', 'sbom.buckets:read']);
  svcId = sa.clientId;
  svcToken = await h.accessToken(sa.clientId, sa.clientSecret);
});
afterAll(() => h?.close());

describe('forward authentication: allowed [F2]', () => {
  it('200 with who is calling and what this call may use, empty body, no-store; either header family; the query is ignored', async () => {
    for (const family of ['forwarded', 'original'] as const) {
      const res = await forward('GET', '/v1/findings/f1?x=1', svcToken, family);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-gatehouse-subject']).toBe(svcId);
      expect(res.headers['x-gatehouse-subject-type']).toBe('service_account');
      expect(res.headers['x-gatehouse-org']).toBe(h.orgId);
      expect(String(res.headers['x-gatehouse-scopes']).split(' ').sort()).toEqual(['governance.findings:read', 'sbom.buckets:read']);
    }
  });

  it('any method reaches it, and a body is never read', async () => {
    const res = await h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/forward',
      headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/v1/findings/f1', authorization: `Bearer ${svcToken}`, 'content-type': 'text/x-odd' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(200);
  });

  it('[C4] a service account on a route of its own organization: 200; of another organization: 404', async () => {
    expect((await forward('GET', `/orgs/${h.orgId}/buckets`, svcToken)).statusCode).toBe(200);
    const other = await h.createOrg();
    const res = await forward('GET', `/orgs/${other}/buckets`, svcToken);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', error_description: 'organization not found' });
  });
});

describe('forward authentication: refused as §5 says [F2]', () => {
  it('no token or a bad one: 401 invalid_token with a Bearer challenge', async () => {
    for (const token of [undefined, 'not-a-jwt', `${svcToken.slice(0, -4)}AAAA`]) {
      const res = await forward('GET', '/v1/findings/f1', token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_token');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
      expect(res.headers['x-gatehouse-subject']).toBeUndefined();
    }
  });

  it('without the route scope: 403 insufficient_scope naming it', async () => {
    const res = await forward('POST', `/orgs/${h.orgId}/buckets`, svcToken);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'insufficient_scope', error_description: 'this call needs the scope sbom.buckets:write' });
    expect(res.headers['www-authenticate']).toContain('scope="sbom.buckets:write"');
  });

  it('a request no route matches: 403 access_denied, token or not (deny by default)', async () => {
    for (const [method, uri] of [
      ['GET', '/v1/findings'],
      ['DELETE', '/v1/findings/f1'],
      ['GET', '/v1/findings/a%2Fb'],
      ['GET', '/v1/findings/../findings/f1'],
    ] as const) {
      const res = await forward(method, uri, svcToken);
      expect(res.statusCode, uri).toBe(403);
      expect(res.json().error).toBe('access_denied');
    }
    expect((await forward('GET', '/nowhere')).statusCode).toBe(403);
  });

  it('[C3] a token whose audience is not the route API: 401', async () => {
    const res = await forward('GET', '/other/1', svcToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_token');
  });

  it('[F1] neither header family, half of one, or both: 400 invalid_request', async () => {
    const none = await h.gh.app.inject({ method: 'GET', url: '/api/v1/auth/forward', headers: { authorization: `Bearer ${svcToken}` } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toBe('invalid_request');
    const half = await h.gh.app.inject({ method: 'GET', url: '/api/v1/auth/forward', headers: { 'x-forwarded-uri': '/v1/findings/f1' } });
    expect(half.statusCode).toBe(400);
    // A client adding the family the gateway does not set cannot steer the decision.
    const both = await forward('DELETE', '/nowhere', svcToken, 'forwarded', { 'x-original-method': 'GET', 'x-original-uri': '/v1/findings/f1' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error_description).toMatch(/both X-Forwarded-\* and X-Original-\*/);
  });

  it('a stale state is 503 with Retry-After, never a 401', async () => {
    const { states } = h.gh.services;
    states.freshness = () => {
      throw stateUnavailable('the state feed is silent');
    };
    try {
      const res = await forward('GET', '/v1/findings/f1', svcToken);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      states.freshness = null;
    }
  });

  it('never logs the bearer token', () => {
    const all = logged.join('');
    expect(all).toContain('/api/v1/auth/forward');
    expect(all).not.toContain(svcToken);
    expect(all).not.toContain(svcToken.split('.')[2]);
  });
});

describe('forward authentication: live state bites on the next request [F2]', () => {
  it('[A7] a disable through the console API: the very next request is 401', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    expect((await forward('GET', '/v1/findings/f1', token)).statusCode).toBe(200);
    const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/disable`);
    expect(res.statusCode).toBe(200);
    expect((await forward('GET', '/v1/findings/f1', token)).statusCode).toBe(401);
  });

  it('[C4] [B6] a person: admitted by the current role on an organization route, 404 elsewhere, 401 off organization routes', async () => {
    const viewer = await h.addUser('viewer');
    const { refreshToken } = await h.createRefreshToken(viewer);
    const token = await h.userAccessToken(refreshToken);
    const read = await forward('GET', `/orgs/${h.orgId}/buckets`, token, 'original');
    expect(read.statusCode).toBe(200);
    expect(read.headers['x-gatehouse-subject']).toBe(viewer.userId);
    expect(read.headers['x-gatehouse-subject-type']).toBe('user');
    expect(read.headers['x-gatehouse-org']).toBe(h.orgId);
    expect(String(read.headers['x-gatehouse-scopes']).split(' ')).toContain('sbom.buckets:read');
    expect(String(read.headers['x-gatehouse-scopes']).split(' ')).not.toContain('sbom.buckets:write');
    expect((await forward('POST', `/orgs/${h.orgId}/buckets`, token)).statusCode).toBe(403);
    const other = await h.createOrg('Elsewhere');
    expect((await forward('GET', `/orgs/${other}/buckets`, token)).statusCode).toBe(404);
    expect((await forward('GET', '/v1/findings/f1', token)).statusCode).toBe(401);
    // A role change affects the token already issued, on the very next call.
    const patched = await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${viewer.userId}`, { role: 'member' });
    expect(patched.statusCode).toBe(200);
    expect((await forward('POST', `/orgs/${h.orgId}/buckets`, token)).statusCode).toBe(200);
  });
});

describe('forward authentication without a catalogue', () => {
  it('refuses everything with 403 (deny by default)', async () => {
    const bare = await startHarness();
    try {
      const sa = await bare.createServiceAccount(['governance.findings:read']);
      const token = await bare.accessToken(sa.clientId, sa.clientSecret);
      const res = await bare.gh.app.inject({
        method: 'GET',
        url: '/api/v1/auth/forward',
        headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/v1/findings/f1', authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('access_denied');
    } finally {
      await bare.close();
    }
  });
});
