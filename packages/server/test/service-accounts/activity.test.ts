import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

/**
 * Issue 14 item 5: a service account's activity (grants per UTC day over 30 days, the address of
 * its last grant, its secret's age against the organization's rotation threshold), on both doors.
 * The clock is moved by days, so the owner signs in again after each move (sessions end after 12 h).
 */
describe('service-account activity', () => {
  let h: Harness;
  const DAY = 86_400;
  const svc = (orgId: string) => `/console/api/orgs/${orgId}/service-accounts`;
  const signIn = () => h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  const grantFrom = (address: string, clientId: string, clientSecret: string) =>
    h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      remoteAddress: address,
      payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
    });
  const activity = async (session: ConsoleSession, orgId: string, id: string) => {
    const res = await session.request('GET', `${svc(orgId)}/${id}/activity`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      days: Array<{ date: string; grants: number }>;
      lastTokenIssuedAt: string | null;
      lastUsedAddress: string | null;
      secretAgeDays: number | null;
      rotationThresholdDays: number;
      rotationRecommended: boolean;
    };
  };
  const nonZero = (days: Array<{ date: string; grants: number }>) => Object.fromEntries(days.filter((d) => d.grants > 0).map((d) => [d.date, d.grants]));

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('an account never used shows thirty empty days and no address', async () => {
    const { clientId } = await h.createServiceAccount(['assets:read']);
    const a = await activity(await signIn(), h.orgId, clientId);
    expect(a.days.every((d) => d.grants === 0)).toBe(true);
    expect(a).toMatchObject({ lastTokenIssuedAt: null, lastUsedAddress: null, secretAgeDays: 0, rotationRecommended: false });
  });

  it('admins read the activity; members and viewers do not; only owners change the threshold', async () => {
    const { clientId } = await h.createServiceAccount(['assets:read']);
    const admin = await h.addUser('admin');
    expect((await admin.request('GET', `${svc(h.orgId)}/${clientId}/activity`)).statusCode).toBe(200);
    for (const role of ['member', 'viewer'] as const) {
      const res = await (await h.addUser(role)).request('GET', `${svc(h.orgId)}/${clientId}/activity`);
      expect(res.statusCode, role).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
    }
    const refused = await admin.request('PATCH', `/console/api/orgs/${h.orgId}`, { secretRotationDays: 7 });
    expect(refused.statusCode).toBe(403);
    expect((await (await signIn()).request('GET', `/console/api/orgs/${h.orgId}`)).json()).toMatchObject({ secretRotationDays: 90 });
    // Another organization's account is not found through this one.
    const otherOrg = await h.createOrg('Elsewhere');
    const res = await (await signIn()).request('GET', `${svc(otherOrg)}/${clientId}/activity`);
    expect(res.statusCode).toBe(404);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['huge', 1_000_000],
    ['non-integer', 1.5],
    ['a string', '90'],
    ['null', null],
  ])('a threshold that is %s is 400, and nothing changes', async (_name, value) => {
    const owner = await signIn();
    const org = `/console/api/orgs/${h.orgId}`;
    const eventsBefore = (await owner.request('GET', `${org}/audit-events?action=organization`)).json().items.length;
    // Together with a valid rename: the whole request is refused, the name stays.
    const res = await owner.request('PATCH', org, { name: 'Should not stick', secretRotationDays: value });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('secretRotationDays') });
    const after = (await owner.request('GET', org)).json();
    expect(after).toMatchObject({ secretRotationDays: 90 });
    expect(after.name).not.toBe('Should not stick');
    expect((await owner.request('GET', `${org}/audit-events?action=organization`)).json().items).toHaveLength(eventsBefore);
  });

  it('an unknown account is 404 and a malformed organization id 400', async () => {
    const owner = await signIn();
    const missing = await owner.request('GET', `${svc(h.orgId)}/svc_01AAAAAAAAAAAAAAAAAAAAAAAA/activity`);
    expect(missing.statusCode).toBe(404);
    expect((await owner.request('GET', '/console/api/orgs/nope/service-accounts/svc_x/activity')).statusCode).toBe(400);
  });
  // The tests below move the clock by days: they come last, and act through fresh sign-ins.
  it('counts successful grants by UTC day over the last 30 days, with the address of the last one', async () => {
    const orgId = await h.createOrg('Chart org');
    h.clock.set('2026-06-01T12:00:00Z');
    const { clientId, clientSecret } = await h.createServiceAccount(['assets:read'], {}, orgId);
    expect((await grantFrom('203.0.113.1', clientId, clientSecret)).statusCode).toBe(200);
    h.clock.set('2026-06-01T23:59:59Z');
    expect((await grantFrom('203.0.113.2', clientId, clientSecret)).statusCode).toBe(200);
    // A refused grant is not activity: it neither counts nor moves the address.
    expect((await grantFrom('198.51.100.66', clientId, 'ghcs_wrong')).statusCode).toBe(401);
    h.clock.set('2026-06-02T00:00:01Z');
    expect((await grantFrom('203.0.113.3', clientId, clientSecret)).statusCode).toBe(200);
    h.clock.set('2026-06-20T08:00:00Z');
    for (let i = 0; i < 3; i++) expect((await grantFrom('203.0.113.4', clientId, clientSecret)).statusCode).toBe(200);
    expect((await grantFrom('198.51.100.67', clientId, 'ghcs_wrong')).statusCode).toBe(401);

    h.clock.set('2026-06-20T18:00:00Z');
    const a = await activity(await signIn(), orgId, clientId);
    expect(a.days).toHaveLength(30);
    expect(a.days[0]!.date).toBe('2026-05-22');
    expect(a.days[29]!.date).toBe('2026-06-20');
    expect(nonZero(a.days)).toEqual({ '2026-06-01': 2, '2026-06-02': 1, '2026-06-20': 3 });
    expect(a.lastUsedAddress).toBe('203.0.113.4');
    expect(a.lastTokenIssuedAt).toBe('2026-06-20T08:00:00.000Z');
    expect(JSON.stringify(a)).not.toContain(clientSecret);

    // Eleven days on, 1 June has left the window and 2 June is its first day.
    h.clock.set('2026-07-01T00:30:00Z');
    const later = await activity(await signIn(), orgId, clientId);
    expect(later.days[0]!.date).toBe('2026-06-02');
    expect(nonZero(later.days)).toEqual({ '2026-06-02': 1, '2026-06-20': 3 });

    // The management door answers the same, from the same implementation.
    const token = await h.userAccessToken((await h.createRefreshToken(await signIn())).refreshToken);
    const viaManage = await h.api('GET', `/manage/v1/orgs/${orgId}/service-accounts/${clientId}/activity`, token);
    expect(viaManage.statusCode, viaManage.body).toBe(200);
    expect(viaManage.json()).toEqual(later);
  });

  it('marks "rotation recommended" once the secret is older than the threshold, and a rotation clears it', async () => {
    let owner = await signIn();
    const orgId = (await owner.request('POST', '/console/api/orgs', { name: 'Rotation org' })).json().id as string;
    const { clientId } = (await owner.request('POST', svc(orgId), { name: 'Old secret', scopes: ['assets:read'] })).json() as { clientId: string };
    h.clock.advance(90 * DAY);
    owner = await signIn();
    expect(await activity(owner, orgId, clientId)).toMatchObject({ secretAgeDays: 90, rotationThresholdDays: 90, rotationRecommended: false });
    h.clock.advance(60);
    expect(await activity(owner, orgId, clientId)).toMatchObject({ secretAgeDays: 90, rotationRecommended: true });

    const rotated = await owner.request('POST', `${svc(orgId)}/${clientId}/rotate-secret`, { graceSeconds: 0 });
    expect(rotated.statusCode).toBe(200);
    expect(await activity(owner, orgId, clientId)).toMatchObject({ secretAgeDays: 0, rotationRecommended: false });

    // The owner lowers the threshold to 30 days: audited, and applied to the next read.
    const patched = await owner.request('PATCH', `/console/api/orgs/${orgId}`, { secretRotationDays: 30 });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ secretRotationDays: 30 });
    h.clock.advance(31 * DAY);
    owner = await signIn();
    expect(await activity(owner, orgId, clientId)).toMatchObject({ secretAgeDays: 31, rotationThresholdDays: 30, rotationRecommended: true });
    const audit = await owner.request('GET', `/console/api/orgs/${orgId}/audit-events?action=organization.secret_rotation_days`);
    expect(audit.json().items).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: owner.userId }),
        detail: { days: 30, previous: 90 },
        target: { type: 'organization', id: orgId },
      }),
    ]);
  });
});
