import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type ListeningHarness } from '@gatehouse/testkit';
import { AccessDenied, createVerifier, fastifyHook, type CatalogueApi, type Principal, type Verifier } from '../src/index.js';

/**
 * §12 SDK: a resource server protected by its catalogue route table, in one line, with the same
 * matcher and decision as Gatehouse's forward authentication (§13).
 */
const CREDENTIAL = 'ghrs_verifier-routes-credential-0123456789abcdef';
const AUDIENCE = 'https://buckets-api.test';
const api: CatalogueApi = {
  id: 'buckets',
  audience: AUDIENCE,
  scopes: [],
  routes: [
    { method: 'GET', path: '/orgs/{orgId}/buckets', scope: 'sbom.buckets:read', org: 'orgId' },
    { method: 'POST', path: '/orgs/{orgId}/buckets', scope: 'sbom.buckets:write', org: 'orgId' },
    { method: 'GET', path: '/v1/findings/{id}', scope: 'governance.findings:read' },
  ],
};

let h: ListeningHarness;
let verifier: Verifier;
let app: FastifyInstance;

beforeAll(async () => {
  h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}`, GATEHOUSE_AUDIENCE: AUDIENCE });
  verifier = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, routes: api, now: () => h.clock.now().getTime() });
  await verifier.start();
  app = Fastify();
  // The one line that protects the whole service by its route table:
  app.addHook('onRequest', fastifyHook(verifier));
  app.all('/*', async (request) => ({ principal: (request as { gatehouse?: Principal }).gatehouse?.id }));
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await verifier?.close();
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string) =>
  app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('Verifier with a catalogue route table', () => {
  it('exposes the audience it expects: the API audience; a different explicit one is refused at creation', () => {
    expect(verifier.audience).toBe(AUDIENCE);
    expect(createVerifier({ issuer: h.url, feedCredential: CREDENTIAL }).audience).toBe(h.url);
    expect(() => createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, routes: api, audience: 'https://other.test' })).toThrow(TypeError);
  });

  it('admits by the route: its scope, 403 without it, 401 without a token', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const ok = await call('GET', '/v1/findings/f1?page=2', token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ principal: sa.clientId });
    const scope = await call('POST', `/orgs/${h.orgId}/buckets`, token);
    expect(scope.statusCode).toBe(403);
    expect(scope.json().error).toBe('insufficient_scope');
    expect((await call('GET', '/v1/findings/f1')).statusCode).toBe(401);
    const decided = await verifier.verifyRequest('GET', '/v1/findings/f9', `Bearer ${token}`);
    expect(decided.route.scope).toBe('governance.findings:read');
    expect(decided.params).toEqual({ id: 'f9' });
  });

  it('a request no route matches is 403 access_denied, without a challenge (deny by default)', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    for (const url of ['/v1/findings', '/v1/findings/a%2Fb', '/admin']) {
      const res = await call('GET', url, token);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toBe('access_denied');
      expect(res.headers['www-authenticate']).toBeUndefined();
    }
    expect((await call('DELETE', '/v1/findings/f1', token)).statusCode).toBe(403);
    await expect(verifier.verifyRequest('GET', '/admin', `Bearer ${token}`)).rejects.toBeInstanceOf(AccessDenied);
  });

  it('[C4] a person is admitted by role on an organization route, 404 on another organization', async () => {
    const viewer = await h.addUser('viewer');
    const token = await h.userAccessToken((await h.createRefreshToken(viewer)).refreshToken);
    const ok = await call('GET', `/orgs/${h.orgId}/buckets`, token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ principal: viewer.userId });
    expect((await call('POST', `/orgs/${h.orgId}/buckets`, token)).statusCode).toBe(403);
    const other = await h.createOrg('Elsewhere');
    expect((await call('GET', `/orgs/${other}/buckets`, token)).statusCode).toBe(404);
    expect((await call('GET', '/v1/findings/f1', token)).statusCode).toBe(401);
  });
});
