import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/catalogue/scopes.js';
import { ADMIN_PASSWORD, startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

/**
 * The console security matrix (§8, §5), generated from Fastify's own route table: every route
 * under /console/api must be listed below with the least it needs, and each is then called
 * without a session, without (or with someone else's) CSRF token, with another organization's
 * id, and with every role below its minimum. A new route that is not listed fails the first test.
 */
type Needs = 'public' | 'signed-in' | Role;
interface Expectation {
  needs: Needs;
  /** A valid body, so that a refusal can only come from the guard. */
  body?: Record<string, unknown>;
  /** Calling it ends the session it is called with. */
  endsSession?: boolean;
}

const ORG = '/console/api/orgs/:orgId';
const SVC = `${ORG}/service-accounts`;
const MEMBERS = `${ORG}/members`;
let n = 0;
const fresh = () => ++n;

const MATRIX: Record<string, Expectation> = {
  'POST /console/api/session': { needs: 'public', body: { email: 'nobody@example.test', password: 'x' } },
  'GET /console/api/session': { needs: 'signed-in' },
  'DELETE /console/api/session': { needs: 'signed-in', endsSession: true },
  'GET /console/api/me': { needs: 'signed-in' },
  // [P7] Ending the *other* sessions leaves the calling one (the matrix's) alive.
  'GET /console/api/me/sessions': { needs: 'signed-in' },
  'DELETE /console/api/me/sessions': { needs: 'signed-in' },
  'DELETE /console/api/me/sessions/:id': { needs: 'signed-in' },
  // [P4] A wrong current password: past the guard, and nobody's password changes.
  'POST /console/api/me/password': { needs: 'signed-in', body: { currentPassword: 'not the password', newPassword: 'a new and long passphrase' } },
  // [P5] Whoever asks (202 whatever the email) and whoever holds the link.
  'POST /console/api/password-reset': { needs: 'public', body: { email: 'nobody@example.test' } },
  'POST /console/api/password-reset/:secret': { needs: 'public', body: { newPassword: 'a new and long passphrase' } },
  'GET /console/api/scopes': { needs: 'signed-in' },
  'GET /console/api/orgs': { needs: 'signed-in' },
  'POST /console/api/orgs': { needs: 'signed-in', body: { name: 'Matrix org' } },
  'GET /console/api/me/refresh-tokens': { needs: 'signed-in' },
  'POST /console/api/me/refresh-tokens': { needs: 'signed-in', body: { name: 'matrix' } },
  'DELETE /console/api/me/refresh-tokens/:id': { needs: 'signed-in' },
  [`GET ${ORG}`]: { needs: 'viewer' },
  [`PATCH ${ORG}`]: { needs: 'owner', body: { name: 'Renamed' } },
  [`GET ${MEMBERS}`]: { needs: 'viewer' },
  [`PATCH ${MEMBERS}/:userId`]: { needs: 'owner', body: { role: 'viewer' } },
  [`DELETE ${MEMBERS}/:userId`]: { needs: 'owner' },
  [`POST ${MEMBERS}/:userId/deactivate`]: { needs: 'owner' },
  [`POST ${MEMBERS}/:userId/reactivate`]: { needs: 'owner' },
  [`GET ${SVC}`]: { needs: 'admin' },
  [`POST ${SVC}`]: { needs: 'admin', body: { name: 'Matrix', scopes: ['assets:read'] } },
  [`GET ${SVC}/:id`]: { needs: 'admin' },
  [`GET ${SVC}/:id/activity`]: { needs: 'admin' },
  [`PATCH ${SVC}/:id`]: { needs: 'admin', body: { name: 'Renamed' } },
  [`POST ${SVC}/:id/rotate-secret`]: { needs: 'admin', body: { graceSeconds: 0 } },
  [`POST ${SVC}/:id/disable`]: { needs: 'admin' },
  [`POST ${SVC}/:id/enable`]: { needs: 'admin' },
  [`DELETE ${SVC}/:id`]: { needs: 'admin' },
  [`GET ${ORG}/audit-events`]: { needs: 'admin' },
  [`POST ${ORG}/invitations`]: {
    needs: 'owner',
    get body() {
      return { email: `invitee${fresh()}@example.test`, role: 'viewer' };
    },
  },
  [`GET ${ORG}/invitations`]: { needs: 'owner' },
  [`DELETE ${ORG}/invitations/:id`]: { needs: 'owner' },
  // [E4] Audit streaming: owners only (a public address literal, so no DNS is needed).
  [`POST ${ORG}/audit-streams`]: { needs: 'owner', body: { url: 'https://93.184.215.14/audit' } },
  [`GET ${ORG}/audit-streams`]: { needs: 'owner' },
  [`GET ${ORG}/audit-streams/:id`]: { needs: 'owner' },
  [`PATCH ${ORG}/audit-streams/:id`]: { needs: 'owner', body: { active: false } },
  [`DELETE ${ORG}/audit-streams/:id`]: { needs: 'owner' },
  [`POST ${ORG}/audit-streams/:id/test`]: { needs: 'owner' },
  [`GET ${ORG}/audit-streams/:id/deliveries`]: { needs: 'owner' },
  // [P3] Whoever holds the link; accepting as an existing account checks that session itself (invitation tests).
  'GET /console/api/invitations/:secret': { needs: 'public' },
  // [P6] The second step of signing in: by the pending-MFA cookie alone (mfa/ tests); a session is what it makes.
  'POST /console/api/session/mfa': { needs: 'public', body: { method: 'totp', code: '123456' } },
  'POST /console/api/session/mfa/passkey-options': { needs: 'public' },
  // [P6] Your own second factors.
  'GET /console/api/me/mfa': { needs: 'signed-in' },
  'POST /console/api/me/mfa/totp': { needs: 'signed-in' },
  'POST /console/api/me/mfa/totp/confirm': { needs: 'signed-in', body: { code: '123456' } },
  'DELETE /console/api/me/mfa/totp': { needs: 'signed-in' },
  'POST /console/api/me/mfa/passkeys/options': { needs: 'signed-in' },
  'POST /console/api/me/mfa/passkeys': { needs: 'signed-in', body: { response: { id: 'x', rawId: 'x', type: 'public-key' } } },
  'DELETE /console/api/me/mfa/passkeys/:id': { needs: 'signed-in' },
  'POST /console/api/me/mfa/recovery-codes': { needs: 'signed-in' },
  'POST /console/api/invitations/:secret/accept': { needs: 'public', body: { name: 'Nobody', password: 'x' } },
};

const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
// Well-formed ids of things that do not exist: the guard must refuse before anything is looked up.
const PARAMS: Record<string, string> = { id: 'svc_01JAAAAAAAAAAAAAAAAAAAAAAA', userId: 'usr_01JAAAAAAAAAAAAAAAAAAAAAAA' };

describe('console API security matrix', () => {
  let h: Harness;
  let otherOrg: string;
  const as: Partial<Record<Role, ConsoleSession & { email: string }>> = {};
  let bearer: string;

  beforeAll(async () => {
    h = await startHarness();
    // A second owner of the bootstrap org, who holds no role in `otherOrg` (the owner's).
    for (const role of ROLES) as[role] = await h.addUser(role);
    otherOrg = await h.createOrg();
    bearer = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
  });
  afterAll(() => h?.close());

  const consoleRoutes = () => h.gh.app.routeTable.filter((r) => r.url.startsWith('/console/api/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
  const split = (key: string) => {
    const [method, url] = key.split(' ') as [string, string];
    return { method, url };
  };
  const path = (url: string, orgId: string) => url.replace(':orgId', orgId).replace(/:(\w+)/g, (_, p: string) => PARAMS[p] ?? p);
  const call = (method: string, url: string, headers: Record<string, string>, body?: Record<string, unknown>): Promise<LightMyRequestResponse> =>
    h.gh.app.inject({ method: method as 'GET', url, headers, ...(body ? { payload: body } : {}) });
  const withCsrf = (s: ConsoleSession) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
  const expectError = (res: LightMyRequestResponse, status: number, error?: string) => {
    expect({ status: res.statusCode, body: res.json() as unknown }).toMatchObject({ status, body: error ? { error } : {} });
    expect(res.json()).toHaveProperty('error_description');
  };

  it('lists every /console/api route of the app, and nothing that is gone', () => {
    const live = consoleRoutes();
    expect(live.length).toBeGreaterThan(20);
    expect(
      live.filter((k) => !(k in MATRIX)),
      'routes missing from MATRIX',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((k) => !live.includes(k)),
      'MATRIX rows with no route',
    ).toEqual([]);
  });

  describe.each(Object.keys(MATRIX).filter((k) => MATRIX[k]!.needs !== 'public'))('%s', (key) => {
    const { method, url } = split(key);
    const spec = () => MATRIX[key]!;
    const orgUrl = () => path(url, h.orgId);

    // Only the tests that apply to a route are generated for it (nothing is counted as skipped).
    const { needs } = MATRIX[key]!;
    if (needs !== 'public')
      it('without a session: 401, and with a bearer token instead: 401', async () => {
        expectError(await call(method, orgUrl(), {}, spec().body), 401, 'unauthenticated');
        expectError(await call(method, orgUrl(), { authorization: `Bearer ${bearer}` }, spec().body), 401, 'unauthenticated');
      });

    if (!SAFE.has(method) && needs !== 'public')
      it("a write without the CSRF token, or with another session's: 403 csrf_token_invalid", async () => {
        const owner = as.owner!;
        expectError(await call(method, orgUrl(), { cookie: owner.cookie }, spec().body), 403, 'csrf_token_invalid');
        expectError(await call(method, orgUrl(), { cookie: owner.cookie, 'x-csrf-token': as.viewer!.csrfToken }, spec().body), 403, 'csrf_token_invalid');
      });

    if (url.includes(':orgId'))
      it("another organization's id: 404, as if it did not exist", async () => {
        const res = await call(method, path(url, otherOrg), withCsrf(as.owner!), spec().body);
        expectError(res, 404, 'not_found');
      });

    if (ROLES.includes(needs as Role))
      it('a role below the minimum: 403; the minimum and above get past the guard', async () => {
        for (const role of ROLES) {
          const session = spec().endsSession ? await h.signIn(as[role]!.email, ADMIN_PASSWORD) : as[role]!;
          const res = await call(method, orgUrl(), withCsrf(session), spec().body);
          if (ROLES.indexOf(role) < ROLES.indexOf(needs as Role)) {
            expectError(res, 403, 'forbidden');
          } else {
            expect(res.statusCode, `${role}: ${res.body}`).not.toBe(401);
            expect(res.statusCode, `${role}: ${res.body}`).not.toBe(403);
            if (res.statusCode === 404) expect(res.json()).not.toMatchObject({ error_description: 'organization not found' });
          }
        }
      });

    if (needs === 'signed-in')
      it('any signed-in person gets past the guard', async () => {
        const session = spec().endsSession ? await h.signIn(as.viewer!.email, ADMIN_PASSWORD) : as.viewer!;
        const res = await call(method, orgUrl(), withCsrf(session), spec().body);
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect([401, 403]).not.toContain(res.statusCode);
      });
  });

  it('signing in is the one route that needs no session and no CSRF token', async () => {
    const res = await call('POST', '/console/api/session', {}, { email: as.viewer!.email, password: ADMIN_PASSWORD });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('HEAD twins of the GET routes are guarded as well', async () => {
    const heads = h.gh.app.routeTable.filter((r) => r.method === 'HEAD' && r.url.startsWith('/console/api/') && MATRIX[`GET ${r.url}`]?.needs !== 'public');
    expect(heads.length).toBeGreaterThan(5);
    for (const r of heads) {
      const res = await call('HEAD', path(r.url, h.orgId), {});
      expect(res.statusCode, r.url).toBe(401);
    }
  });
});
