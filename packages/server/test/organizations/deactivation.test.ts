import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptAsNewcomer, invite, secretOf } from '../invitations/support.js';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

const members = (orgId: string) => `/console/api/orgs/${orgId}/members`;

/**
 * Deactivation and ownership (README, "Where the spec is silent"): an organization a person
 * created never shields them from deactivation, and it is handed to nobody.
 */
describe('deactivation and ownership', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('nobody escapes deactivation by creating an organization, even one with other members', async () => {
    const member = await h.addUser('member');
    const hideout = (await member.request('POST', '/console/api/orgs', { name: 'Hideout' })).json().id as string;
    // An accomplice joins the hideout, so it is not empty either.
    const inv = await member.request('POST', `/console/api/orgs/${hideout}/invitations`, { email: 'accomplice@example.test', role: 'member' });
    expect((await acceptAsNewcomer(h, secretOf(inv.json().inviteUrl), { name: 'Accomplice', password: ADMIN_PASSWORD })).statusCode).toBe(201);

    const res = await h.owner.request('POST', `${members(h.orgId)}/${member.userId}/deactivate`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'deactivated' });
    expect((await member.request('GET', '/console/api/me')).statusCode).toBe(401);
    await expect(h.signIn(member.email, ADMIN_PASSWORD)).rejects.toThrow(/401/);
    // The hideout is handed to nobody: the bootstrap owner holds no role there.
    expect((await h.owner.request('GET', `/console/api/orgs/${hideout}`)).statusCode).toBe(404);
  });

  it('an organization someone else created still shields: its other owners decide, and it keeps an owner', async () => {
    const second = await h.createOrg('Second'); // created by the bootstrap owner
    const outsider = await h.addUser('owner', second);
    const shared = await h.addUser('member');
    const { inviteUrl } = await invite(h, shared.email, 'owner', second);
    expect((await shared.request('POST', `/console/api/invitations/${secretOf(inviteUrl)}/accept`, {})).statusCode).toBe(200);
    // The owner of `second` alone does not own the bootstrap org: refused, nothing changes.
    const refused = await outsider.request('POST', `${members(second)}/${shared.userId}/deactivate`);
    expect(refused.statusCode).toBe(403);
    expect((await shared.request('GET', '/console/api/me')).statusCode).toBe(200);
    // The bootstrap owner owns both: allowed, and `second` still has active owners (the actor and `outsider`).
    expect((await h.owner.request('POST', `${members(h.orgId)}/${shared.userId}/deactivate`)).statusCode).toBe(200);
  });

  it('squatting an email through a created organization gets nothing: the invitee alone creates the account', async () => {
    const attacker = await h.addUser('member');
    const own = (await attacker.request('POST', '/console/api/orgs', { name: 'Squat' })).json().id as string;
    // No members API adds anyone, with or without a password.
    const add = await attacker.request('POST', members(own), { email: 'victim@example.test', role: 'owner', password: 'attacker chosen password' });
    expect(add.statusCode).toBe(404);
    // An invitation creates no account: the victim still signs up with their own password elsewhere.
    const inv = await attacker.request('POST', `/console/api/orgs/${own}/invitations`, { email: 'victim@example.test', role: 'viewer' });
    expect(inv.statusCode).toBe(201);
    await expect(h.signIn('victim@example.test', 'attacker chosen password')).rejects.toThrow(/401/);
    const { inviteUrl } = await invite(h, 'victim@example.test', 'member');
    expect((await acceptAsNewcomer(h, secretOf(inviteUrl), { name: 'Victim', password: 'the victim own passphrase' })).statusCode).toBe(201);
    expect((await h.owner.request('GET', members(h.orgId))).json().items.map((m: { email: string }) => m.email)).toContain('victim@example.test');
  });
});
