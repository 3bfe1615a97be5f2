import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/** [M1] [M2] What a person's token does at /manage/v1, beside the guard's matrix. */
describe("/manage/v1 with a person's token", () => {
  let h: Harness;
  let ownerToken: string;
  const svc = () => `/manage/v1/orgs/${h.orgId}/service-accounts`;

  beforeAll(async () => {
    h = await startHarness();
    ownerToken = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
  }, 60_000);
  afterAll(() => h?.close());

  it("[M1] serves the console's resources with the console's bodies, and the secret works at the token endpoint", async () => {
    const created = await h.api('POST', svc(), ownerToken, { name: 'Deploy bot', scopes: ['assets:read'] });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json() as { clientId: string; clientSecret: string };
    expect(created.headers['cache-control']).toBe('no-store');
    expect((await h.token(body.clientId, body.clientSecret)).statusCode).toBe(200);
    const viaManage = await h.api('GET', `${svc()}/${body.clientId}`, ownerToken);
    const viaConsole = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts/${body.clientId}`);
    expect(viaManage.json()).toEqual(viaConsole.json());
  });

  it('[M2] a management scope is never granted to a service account: create and PATCH answer 400, on both doors', async () => {
    const bad = { name: 'Sneaky', scopes: ['assets:read', 'manage:service-accounts'] };
    const viaManage = await h.api('POST', svc(), ownerToken, bad);
    expect(viaManage.statusCode).toBe(400);
    expect(viaManage.json()).toMatchObject({ error: 'invalid_request' });
    expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, bad)).statusCode).toBe(400);
    const { clientId } = await h.createServiceAccount(['assets:read']);
    const patched = await h.api('PATCH', `${svc()}/${clientId}`, ownerToken, { scopes: ['manage:members'] });
    expect(patched.statusCode).toBe(400);
    const still = await h.api('GET', `${svc()}/${clientId}`, ownerToken);
    expect(still.json()).toMatchObject({ scopes: ['assets:read'] });
  });

  it('[M2] a CI token narrowed to manage:service-accounts rotates a secret but cannot invite; the rotation is audited as the person', async () => {
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'ci', scopes: ['manage:service-accounts'] });
    const ci = await h.userAccessToken(refreshToken);
    const { clientId, clientSecret } = await h.createServiceAccount(['assets:read']);
    const rotated = await h.api('POST', `${svc()}/${clientId}/rotate-secret`, ci, { graceSeconds: 0 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { clientSecret: next } = rotated.json() as { clientSecret: string };
    expect((await h.token(clientId, next)).statusCode).toBe(200);
    expect((await h.token(clientId, clientSecret)).statusCode).toBe(401);

    const invite = await h.api('POST', `/manage/v1/orgs/${h.orgId}/invitations`, ci, { email: 'newcomer@example.test', role: 'viewer' });
    expect(invite.statusCode).toBe(403);
    expect(invite.json()).toMatchObject({ error: 'insufficient_scope' });
    expect((await h.api('GET', `/manage/v1/orgs/${h.orgId}/invitations`, ownerToken)).json()).toMatchObject({ items: [] });

    const audit = await h.api('GET', `/manage/v1/orgs/${h.orgId}/audit-events?action=service_account.rotate_secret`, ownerToken);
    expect(audit.statusCode, audit.body).toBe(200);
    const [event] = (audit.json() as { items: Array<Record<string, unknown>> }).items;
    expect(event).toMatchObject({ actor: { type: 'user', id: h.owner.userId, name: 'owner@example.test' }, target: { id: clientId } });
    expect(JSON.stringify(audit.json())).not.toContain(next);
  });

  it('[B6] decided by the role now: an admin demoted through /manage/v1 loses service accounts on the next call', async () => {
    const admin = await h.addUser('admin');
    const adminToken = await h.userAccessToken((await h.createRefreshToken(admin)).refreshToken);
    expect((await h.api('GET', svc(), adminToken)).statusCode).toBe(200);
    const demoted = await h.api('PATCH', `/manage/v1/orgs/${h.orgId}/members/${admin.userId}`, ownerToken, { role: 'member' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    const after = await h.api('GET', svc(), adminToken);
    expect(after.statusCode).toBe(403);
    const events = await h.api('GET', `/manage/v1/orgs/${h.orgId}/audit-events?action=member.role_change`, ownerToken);
    expect((events.json() as { items: unknown[] }).items[0]).toMatchObject({ actor: { type: 'user', id: h.owner.userId } });
  });

  it('[B8] lists only the organizations the token reaches; an invitation made here carries the inviter', async () => {
    const other = await h.createOrg('Second');
    const narrowed = await h.userAccessToken((await h.createRefreshToken(h.owner, { name: 'one org', orgIds: [other] })).refreshToken);
    const orgs = (await h.api('GET', '/manage/v1/orgs', narrowed)).json() as { items: Array<{ id: string }> };
    expect(orgs.items.map((o) => o.id)).toEqual([other]);
    const all = (await h.api('GET', '/manage/v1/orgs', ownerToken)).json() as { items: Array<{ id: string }> };
    expect(all.items.map((o) => o.id)).toEqual(expect.arrayContaining([h.orgId, other]));

    const invited = await h.api('POST', `/manage/v1/orgs/${h.orgId}/invitations`, ownerToken, { email: 'invitee@example.test', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json()).toHaveProperty('inviteUrl');
    const list = (await h.api('GET', `/manage/v1/orgs/${h.orgId}/invitations`, ownerToken)).json() as { items: Array<Record<string, unknown>> };
    expect(list.items[0]).toMatchObject({ email: 'invitee@example.test', invitedBy: { id: h.owner.userId } });
    expect(list.items[0]).not.toHaveProperty('inviteUrl');
  });
});
