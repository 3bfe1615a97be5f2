import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/catalogue/scopes.js';
import { startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

/**
 * The /manage/v1 security matrix ([M1], [M2]), generated from Fastify's own route table: every
 * route under /manage/v1 must be listed with the least role and the token scope it needs, and each
 * is called with no token, a service-account token, a console cookie, another organization's id,
 * every role below its minimum, and a token narrowed to another management scope.
 */
type Needs = 'person' | Role;
interface Expectation {
  needs: Needs;
  /** The scope the token must carry; none: any of the person's tokens. */
  scope?: string;
  body?: Record<string, unknown>;
}

const ORG = '/manage/v1/orgs/:orgId';
const SVC = `${ORG}/service-accounts`;
const MEMBERS = `${ORG}/members`;
const STREAMS = `${ORG}/audit-streams`;
const SA = 'manage:service-accounts';
const MB = 'manage:members';
const OR = 'manage:organization';
let n = 0;
const fresh = () => ++n;

const MATRIX: Record<string, Expectation> = {
  'GET /manage/v1/orgs': { needs: 'person' },
  'POST /manage/v1/orgs': { needs: 'person', scope: OR, body: { name: 'Matrix org' } },
  [`GET ${ORG}`]: { needs: 'viewer' },
  [`PATCH ${ORG}`]: { needs: 'owner', scope: OR, body: { name: 'Renamed' } },
  [`GET ${MEMBERS}`]: { needs: 'viewer' },
  [`PATCH ${MEMBERS}/:userId`]: { needs: 'owner', scope: MB, body: { role: 'viewer' } },
  [`DELETE ${MEMBERS}/:userId`]: { needs: 'owner', scope: MB },
  [`POST ${MEMBERS}/:userId/deactivate`]: { needs: 'owner', scope: MB },
  [`POST ${MEMBERS}/:userId/reactivate`]: { needs: 'owner', scope: MB },
  [`GET ${SVC}`]: { needs: 'admin', scope: SA },
  [`POST ${SVC}`]: { needs: 'admin', scope: SA, body: { name: 'Matrix', scopes: ['assets:read'] } },
  [`GET ${SVC}/:id`]: { needs: 'admin', scope: SA },
  [`GET ${SVC}/:id/activity`]: { needs: 'admin', scope: SA },
  [`PATCH ${SVC}/:id`]: { needs: 'admin', scope: SA, body: { name: 'Renamed' } },
  [`POST ${SVC}/:id/rotate-secret`]: { needs: 'admin', scope: SA, body: { graceSeconds: 0 } },
  [`POST ${SVC}/:id/disable`]: { needs: 'admin', scope: SA },
  [`POST ${SVC}/:id/enable`]: { needs: 'admin', scope: SA },
  [`DELETE ${SVC}/:id`]: { needs: 'admin', scope: SA },
  [`GET ${ORG}/audit-events`]: { needs: 'admin', scope: 'audit-log:read' },
  [`POST ${ORG}/invitations`]: {
    needs: 'owner',
    scope: MB,
    get body() {
      return { email: `invitee${fresh()}@example.test`, role: 'viewer' };
    },
  },
  [`GET ${ORG}/invitations`]: { needs: 'owner', scope: MB },
  [`DELETE ${ORG}/invitations/:id`]: { needs: 'owner', scope: MB },
  // [E4] Audit streaming: owners, with manage:organization (a public address literal: no DNS needed).
  [`POST ${STREAMS}`]: { needs: 'owner', scope: OR, body: { url: 'https://93.184.215.14/audit' } },
  [`GET ${STREAMS}`]: { needs: 'owner', scope: OR },
  [`GET ${STREAMS}/:id`]: { needs: 'owner', scope: OR },
  [`PATCH ${STREAMS}/:id`]: { needs: 'owner', scope: OR, body: { active: false } },
  [`DELETE ${STREAMS}/:id`]: { needs: 'owner', scope: OR },
  [`POST ${STREAMS}/:id/test`]: { needs: 'owner', scope: OR },
  [`GET ${STREAMS}/:id/deliveries`]: { needs: 'owner', scope: OR },
};

const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];
const PARAMS: Record<string, string> = { id: 'svc_01JAAAAAAAAAAAAAAAAAAAAAAA', userId: 'usr_01JAAAAAAAAAAAAAAAAAAAAAAA' };
/** A management scope other than `scope`, for the narrowed-token row. */
const another = (scope: string) => (scope === SA ? MB : SA);

describe('/manage/v1 security matrix', () => {
  let h: Harness;
  let otherOrg: string;
  const as: Partial<Record<Role, ConsoleSession & { email: string }>> = {};
  const tokens: Partial<Record<Role, string>> = {};
  let serviceAccountToken: string;

  beforeAll(async () => {
    h = await startHarness();
    for (const role of ROLES) {
      as[role] = await h.addUser(role);
      tokens[role] = await h.userAccessToken((await h.createRefreshToken(as[role])).refreshToken);
    }
    // The bootstrap owner's second organization: none of the users above holds a role in it.
    otherOrg = await h.createOrg();
    const sa = await h.createServiceAccount(['assets:read', 'audit-log:read']);
    serviceAccountToken = await h.accessToken(sa.clientId, sa.clientSecret);
  }, 60_000);
  afterAll(() => h?.close());

  const split = (key: string) => {
    const [method, url] = key.split(' ') as [string, string];
    return { method, url };
  };
  const path = (url: string, orgId: string) => url.replace(':orgId', orgId).replace(/:(\w+)/g, (_, p: string) => PARAMS[p] ?? p);
  const call = (method: string, url: string, headers: Record<string, string>, body?: Record<string, unknown>): Promise<LightMyRequestResponse> =>
    h.gh.app.inject({ method: method as 'GET', url, headers, ...(body ? { payload: body } : {}) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const expectError = (res: LightMyRequestResponse, status: number, error: string) => {
    expect({ status: res.statusCode, body: res.json() as unknown }).toMatchObject({ status, body: { error } });
    expect(res.json()).toHaveProperty('error_description');
  };

  it('lists every /manage/v1 route of the app, and nothing that is gone', () => {
    const live = h.gh.app.routeTable.filter((r) => r.url.startsWith('/manage/v1/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(live.filter((k) => !(k in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !live.includes(k))).toEqual([]);
  });

  describe.each(Object.keys(MATRIX))('%s', (key) => {
    const { method, url } = split(key);
    const spec = () => MATRIX[key]!;
    const orgUrl = () => path(url, h.orgId);
    const { needs, scope } = MATRIX[key]!;

    it("no token, a service account's token, or a console cookie: 401 invalid_token", async () => {
      const none = await call(method, orgUrl(), {}, spec().body);
      expectError(none, 401, 'invalid_token');
      expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
      expectError(await call(method, orgUrl(), bearer(serviceAccountToken), spec().body), 401, 'invalid_token');
      const owner = as.owner!;
      expectError(await call(method, orgUrl(), { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken }, spec().body), 401, 'invalid_token');
    });

    if (url.includes(':orgId'))
      it("another organization's id: 404, as if it did not exist (a service account's token stays 401)", async () => {
        expectError(await call(method, path(url, otherOrg), bearer(tokens.owner!), spec().body), 404, 'not_found');
        expectError(await call(method, path(url, otherOrg), bearer(serviceAccountToken), spec().body), 401, 'invalid_token');
      });

    if (needs !== 'person')
      it('a role below the minimum: 403; the minimum and above get past the guard', async () => {
        for (const role of ROLES) {
          const res = await call(method, orgUrl(), bearer(tokens[role]!), spec().body);
          if (ROLES.indexOf(role) < ROLES.indexOf(needs)) {
            expect(res.statusCode, `${role}: ${res.body}`).toBe(403);
            expect(['insufficient_scope', 'forbidden']).toContain((res.json() as { error: string }).error);
          } else {
            expect([401, 403], `${role}: ${res.body}`).not.toContain(res.statusCode);
            if (res.statusCode === 404) expect(res.json()).not.toMatchObject({ error_description: 'organization not found' });
          }
        }
      });

    if (needs === 'person')
      it('any person with a token gets past the guard', async () => {
        const res = await call(method, orgUrl(), bearer(tokens.viewer!), spec().body);
        expect(res.statusCode, res.body).toBeLessThan(300);
      });

    if (scope)
      it(`an owner's token narrowed to another management scope: 403 insufficient_scope (needs ${scope})`, async () => {
        const narrowed = await h.userAccessToken((await h.createRefreshToken(as.owner!, { scopes: [another(scope)] })).refreshToken);
        const res = await call(method, orgUrl(), bearer(narrowed), spec().body);
        expectError(res, 403, 'insufficient_scope');
        expect(res.headers['www-authenticate']).toContain(`scope="${scope}"`);
      });
  });

  it('HEAD twins of the GET routes are guarded as well', async () => {
    const heads = h.gh.app.routeTable.filter((r) => r.method === 'HEAD' && r.url.startsWith('/manage/v1/'));
    expect(heads.length).toBeGreaterThan(4);
    for (const r of heads) expect((await call('HEAD', path(r.url, h.orgId), {})).statusCode, r.url).toBe(401);
  });
});
