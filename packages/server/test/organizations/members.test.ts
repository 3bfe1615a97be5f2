import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

const members = (orgId: string) => `/console/api/orgs/${orgId}/members`;

/** §1, §6, §8: organizations, members and the rules of managing them. */
describe('organizations and members', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const auditActions = async (orgId: string) => {
    const res = await h.owner.request('GET', `/console/api/orgs/${orgId}/audit-events?limit=200`);
    return res.json().items as Array<{ action: string; target: { id: string } | null; detail: Record<string, unknown> }>;
  };

  it("creates an organization whose creator becomes its owner, and lists the caller's organizations", async () => {
    const viewer = await h.addUser('viewer');
    const created = await viewer.request('POST', '/console/api/orgs', { name: '  Acme Security ' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: expect.stringMatching(/^org_/), name: 'Acme Security', role: 'owner' });
    const list = (await viewer.request('GET', '/console/api/orgs')).json();
    expect(list.items.map((o: { role: string }) => o.role)).toEqual(['viewer', 'owner']);
    expect(list.nextCursor).toBeNull();
    const me = (await viewer.request('GET', '/console/api/me')).json();
    expect(me.memberships).toContainEqual({ orgId: created.json().id, orgName: 'Acme Security', role: 'owner' });
    expect((await viewer.request('PATCH', `/console/api/orgs/${created.json().id}`, { name: 'Acme' })).json().name).toBe('Acme');
    expect((await viewer.request('PATCH', `/console/api/orgs/${h.orgId}`, { name: 'Mine now' })).statusCode).toBe(403);
    // The bootstrap owner holds no role in the new organization: 404, not 403.
    expect((await h.owner.request('GET', `/console/api/orgs/${created.json().id}`)).statusCode).toBe(404);
    expect((await h.owner.request('GET', members(created.json().id))).statusCode).toBe(404);
  });

  /** [P2] The only way in: `inviter` invites `who`'s email, `who` (signed in as it) accepts. */
  const join = async (who: ConsoleSession & { email: string }, orgId: string, role = 'viewer', inviter = h.owner) => {
    const invited = await inviter.request('POST', `/console/api/orgs/${orgId}/invitations`, { email: who.email, role });
    expect(invited.statusCode, invited.body).toBe(201);
    const secret = (invited.json().inviteUrl as string).split('/invite/')[1];
    return who.request('POST', `/console/api/invitations/${secret}/accept`, {});
  };

  it('[P2] nobody adds an account or chooses its password: adding a member with a password is gone', async () => {
    for (const body of [
      { email: 'ana@example.test', role: 'member', password: 'a long enough password' },
      { email: 'bo@example.test', role: 'viewer' },
    ]) {
      const res = await h.owner.request('POST', members(h.orgId), body);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toHaveProperty('error');
      expect(res.body).not.toContain('initialPassword');
    }
    await expect(h.signIn('ana@example.test', 'a long enough password')).rejects.toThrow(/401/);
    expect((await h.owner.request('GET', members(h.orgId))).json().items).toHaveLength(1);
  });

  it('an existing account joins another organization by accepting, its password untouched', async () => {
    const second = await h.createOrg('Second');
    const viewer = await h.addUser('viewer');
    expect((await join(viewer, second, 'member')).statusCode).toBe(200);
    expect((await viewer.request('GET', '/console/api/me')).json().memberships).toContainEqual({ orgId: second, orgName: 'Second', role: 'member' });
    await expect(h.signIn(viewer.email, ADMIN_PASSWORD)).resolves.toBeTruthy();
  });

  it('changes roles and removes members, auditing each change', async () => {
    const member = await h.addUser('member');
    const patched = await h.owner.request('PATCH', `${members(h.orgId)}/${member.userId}`, { role: 'admin' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ userId: member.userId, role: 'admin' });
    expect((await member.request('GET', '/console/api/me')).json().memberships[0].role).toBe('admin');
    expect((await h.owner.request('DELETE', `${members(h.orgId)}/${member.userId}`)).statusCode).toBe(204);
    expect((await member.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`)).statusCode).toBe(404);
    expect((await h.owner.request('DELETE', `${members(h.orgId)}/${member.userId}`)).statusCode).toBe(404);
    const events = (await auditActions(h.orgId)).filter((e) => e.target?.id === member.userId).map((e) => [e.action, e.detail]);
    expect(events.reverse()).toEqual([
      ['member.role_change', { email: member.email, from: 'member', to: 'admin' }],
      ['member.remove', { email: member.email, role: 'admin' }],
    ]);
  });

  it('an organization always keeps an owner', async () => {
    const self = `${members(h.orgId)}/${h.owner.userId}`;
    for (const [method, body] of [
      ['PATCH', { role: 'admin' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.owner.request(method, self, body);
      expect(res.statusCode).toBe(409);
      expect(res.json().error_description).toMatch(/must keep an owner/);
    }
    const second = await h.addUser('owner');
    expect((await h.owner.request('PATCH', self, { role: 'admin' })).statusCode).toBe(200); // another owner exists now
    expect((await second.request('DELETE', `${members(h.orgId)}/${second.userId}`)).statusCode).toBe(409);
  });

  it('two owners demoting each other at once: one wins, the organization keeps an owner', async () => {
    const other = await h.addUser('owner');
    const [a, b] = await Promise.all([
      h.owner.request('PATCH', `${members(h.orgId)}/${other.userId}`, { role: 'viewer' }),
      other.request('PATCH', `${members(h.orgId)}/${h.owner.userId}`, { role: 'viewer' }),
    ]);
    // The loser is refused either by the role check (it is no owner any more) or under the lock.
    const codes = [a.statusCode, b.statusCode].sort();
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    const owners = (await h.owner.request('GET', members(h.orgId))).json().items.filter((m: { role: string }) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('privilege escalation: only owners manage members, and nobody grants a role above their own', async () => {
    const admin = await h.addUser('admin');
    const member = await h.addUser('member');
    const viewer = await h.addUser('viewer');
    const before = (await h.owner.request('GET', members(h.orgId))).body;
    const attempts = [
      admin.request('POST', `/console/api/orgs/${h.orgId}/invitations`, { email: 'new@example.test', role: 'owner' }),
      admin.request('POST', `/console/api/orgs/${h.orgId}/invitations`, { email: 'new@example.test', role: 'viewer' }),
      admin.request('PATCH', `${members(h.orgId)}/${admin.userId}`, { role: 'owner' }),
      admin.request('PATCH', `${members(h.orgId)}/${viewer.userId}`, { role: 'owner' }),
      admin.request('DELETE', `${members(h.orgId)}/${h.owner.userId}`),
      admin.request('POST', `${members(h.orgId)}/${viewer.userId}/deactivate`),
      member.request('POST', `/console/api/orgs/${h.orgId}/invitations`, { email: 'new@example.test', role: 'member' }),
      member.request('PATCH', `${members(h.orgId)}/${viewer.userId}`, { role: 'member' }),
      member.request('DELETE', `${members(h.orgId)}/${viewer.userId}`),
      viewer.request('PATCH', `${members(h.orgId)}/${viewer.userId}`, { role: 'owner' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('forbidden');
    }
    expect((await h.owner.request('GET', members(h.orgId))).body).toBe(before);
    // Any member may list the members and leave.
    expect((await viewer.request('GET', members(h.orgId))).statusCode).toBe(200);
    expect((await viewer.request('DELETE', `${members(h.orgId)}/${viewer.userId}`)).statusCode).toBe(204);
  });

  it('deactivation needs an owner of every organization the user belongs to, and not oneself', async () => {
    const second = await h.createOrg('Second');
    const shared = await h.addUser('member');
    const outsiderOwner = await h.addUser('member', second);
    await h.owner.request('PATCH', `${members(second)}/${outsiderOwner.userId}`, { role: 'owner' });
    // The second org's other owner does not own the first org, where `shared` also... isn't: add them.
    expect((await join(shared, second)).statusCode).toBe(200);
    const res = await outsiderOwner.request('POST', `${members(second)}/${shared.userId}/deactivate`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error_description).toMatch(/organizations you do not own/);
    expect((await h.owner.request('POST', `${members(h.orgId)}/${h.owner.userId}/deactivate`)).statusCode).toBe(403);
    const ok = await h.owner.request('POST', `${members(h.orgId)}/${shared.userId}/deactivate`);
    expect(ok.statusCode).toBe(200);
    // Recorded in every organization the user belongs to.
    for (const org of [h.orgId, second]) {
      expect((await auditActions(org)).some((e) => e.action === 'user.deactivate' && e.target?.id === shared.userId)).toBe(true);
    }
  });

  it('bad input is a clear 400 and changes nothing', async () => {
    const viewer = await h.addUser('viewer');
    const before = (await h.owner.request('GET', members(h.orgId))).body;
    for (const body of [{ role: 'superuser' }, { role: 'member', isOwner: true }, {}]) {
      const res = await h.owner.request('PATCH', `${members(h.orgId)}/${viewer.userId}`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    expect((await h.owner.request('POST', '/console/api/orgs', { name: '' })).statusCode).toBe(400);
    expect((await h.owner.request('PATCH', `${members(h.orgId)}/${viewer.userId}`, { role: 'member' }, { csrf: false })).statusCode).toBe(403);
    expect((await h.owner.request('GET', members(h.orgId))).body).toBe(before);
  });
});
