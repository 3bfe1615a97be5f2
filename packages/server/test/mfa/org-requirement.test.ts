import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { enrolTotp } from './support.js';

/** §11 [P6]: an organization may require a second factor of its owners and admins. */
describe('second factor: the organization requirement', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('owners set it; an admin without a factor is sent to enrol before anything else in that organization', async () => {
    h = await startHarness();
    const org = `/console/api/orgs/${h.orgId}`;
    const admin = await h.addUser('admin');
    const viewer = await h.addUser('viewer');
    // The owner must have a factor before requiring one (else they would lock themselves out).
    const early = await h.owner.request('PATCH', org, { requireMfaForAdmins: true });
    expect(early.statusCode).toBe(409);
    expect((await h.owner.request('GET', org)).json().requireMfaForAdmins).toBe(false);
    // Admins cannot change it.
    expect((await admin.request('PATCH', org, { requireMfaForAdmins: true })).statusCode).toBe(403);
    expect((await h.owner.request('PATCH', org, { requireMfaForAdmins: 'yes' })).statusCode).toBe(400);
    expect((await h.owner.request('PATCH', org, {})).statusCode).toBe(400);

    await enrolTotp(h, h.owner);
    const set = await h.owner.request('PATCH', org, { requireMfaForAdmins: true });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ id: h.orgId, requireMfaForAdmins: true, role: 'owner' });
    expect((await h.owner.request('GET', `${org}/members`)).statusCode).toBe(200);

    // The admin without a factor: every call on this organization is 403 mfa_enrolment_required...
    for (const [method, url] of [
      ['GET', org],
      ['GET', `${org}/service-accounts`],
      ['GET', `${org}/audit-events`],
      ['POST', `${org}/service-accounts`],
    ] as const) {
      const res = await admin.request(method, url, method === 'POST' ? { name: 'x', scopes: ['assets:read'] } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error).toBe('mfa_enrolment_required');
    }
    // ...the viewer is not concerned, and the admin's enrolment routes (and their own account) still work.
    expect((await viewer.request('GET', org)).statusCode).toBe(200);
    expect((await admin.request('GET', '/console/api/me')).statusCode).toBe(200);
    await enrolTotp(h, admin);
    expect((await admin.request('GET', `${org}/service-accounts`)).statusCode).toBe(200);

    const audit = await h.owner.request('GET', `${org}/audit-events?limit=200`);
    const change = audit.json().items.find((e: { action: string }) => e.action === 'organization.mfa_requirement');
    expect(change).toMatchObject({ outcome: 'success', detail: { requireMfaForAdmins: true } });

    // Switched off, an admin who removes their factor is let in again.
    expect((await h.owner.request('PATCH', org, { requireMfaForAdmins: false })).json().requireMfaForAdmins).toBe(false);
    expect((await admin.request('DELETE', '/console/api/me/mfa/totp')).statusCode).toBe(204);
    expect((await admin.request('GET', org)).statusCode).toBe(200);
  });
});
