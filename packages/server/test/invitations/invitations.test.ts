import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ISSUER, startHarness, type ConsoleSession, type Harness } from '../support/harness.js';
import { acceptAsNewcomer, cookieOf, invitationsUrl, invite, secretOf } from './support.js';

const NEW_PASSWORD = 'plum orchard at dusk 42';

/** §11 [P1]–[P3]: invitations replace owners creating accounts for other people's emails. */
describe('invitations', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const audit = async (as: ConsoleSession = h.owner) =>
    (await as.request('GET', `/console/api/orgs/${h.orgId}/audit-events?limit=200`)).json().items as Array<{
      action: string;
      actor: { id?: string };
      target: { id: string } | null;
      detail: Record<string, unknown>;
    }>;

  it('an owner invites; the newcomer sees the invitation, creates their account, is signed in and is a member with the role', async () => {
    h = await startHarness();
    const res = await h.owner.request('POST', invitationsUrl(h.orgId), { email: '  Ana@Example.TEST ', role: 'admin' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json();
    expect(created).toEqual({
      id: expect.stringMatching(/^inv_/),
      email: 'ana@example.test',
      role: 'admin',
      expiresAt: '2026-06-08T12:00:00.000Z',
      inviteUrl: expect.stringMatching(new RegExp(`^${ISSUER}/invite/ghinv_[A-Za-z0-9_-]{43}$`)),
      mailed: false,
    });
    const secret = secretOf(created.inviteUrl);

    const preview = await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secret}` });
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['cache-control']).toBe('no-store');
    expect(preview.json()).toEqual({
      organization: { id: h.orgId, name: 'My organization' },
      email: 'ana@example.test',
      role: 'admin',
      invitedBy: { name: 'owner' },
      expiresAt: '2026-06-08T12:00:00.000Z',
    });

    const accepted = await acceptAsNewcomer(h, secret, { name: 'Ana Lopez', password: NEW_PASSWORD });
    expect(accepted.statusCode).toBe(201);
    const body = accepted.json();
    expect(body).toEqual({
      csrfToken: expect.any(String),
      user: { id: expect.stringMatching(/^usr_/), email: 'ana@example.test', name: 'Ana Lopez' },
      memberships: [{ orgId: h.orgId, orgName: 'My organization', role: 'admin' }],
    });
    // Signed in exactly as POST /console/api/session: an HttpOnly SameSite=Strict cookie and its CSRF token.
    expect(String(accepted.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(accepted.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    const cookie = cookieOf(accepted);
    const me = await h.gh.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie } });
    expect(me.json().memberships).toEqual([{ orgId: h.orgId, orgName: 'My organization', role: 'admin' }]);
    const write = await h.gh.app.inject({
      method: 'POST',
      url: `/console/api/orgs/${h.orgId}/service-accounts`,
      headers: { cookie, 'x-csrf-token': body.csrfToken },
      payload: { name: 'ana integration', scopes: ['assets:read'] },
    });
    expect(write.statusCode).toBe(201); // an admin's right, on the very next call
    await expect(h.signIn('ana@example.test', NEW_PASSWORD)).resolves.toBeTruthy();

    const members = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`)).json().items;
    expect(members).toContainEqual(expect.objectContaining({ userId: body.user.id, email: 'ana@example.test', role: 'admin' }));
    // Accepted: no longer pending, and the link is dead.
    expect((await h.owner.request('GET', invitationsUrl(h.orgId))).json().items).toEqual([]);
    expect((await acceptAsNewcomer(h, secret, { name: 'Eve', password: 'another long password 9' })).statusCode).toBe(404);
    expect((await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secret}` })).statusCode).toBe(404);

    const events = await audit();
    expect(events.find((e) => e.action === 'invitation.create')).toMatchObject({
      actor: { id: h.owner.userId },
      target: { id: created.id },
      detail: { email: 'ana@example.test', role: 'admin' },
    });
    expect(events.find((e) => e.action === 'invitation.accept')).toMatchObject({
      actor: { id: body.user.id },
      target: { id: created.id },
      detail: { email: 'ana@example.test', role: 'admin', newUser: true },
    });
    const all = JSON.stringify(events);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(NEW_PASSWORD);
  });

  it('an existing account accepts only when signed in as the invited email; another account is refused and nothing changes', async () => {
    h = await startHarness();
    const other = await h.createOrg('Other');
    const viewer = await h.addUser('viewer', other); // an account that is not a member of h.orgId
    const bystander = await h.addUser('member', other);
    const { inviteUrl } = await invite(h, viewer.email.toUpperCase(), 'member');
    const secret = secretOf(inviteUrl);
    const url = `/console/api/invitations/${secret}/accept`;

    // Not signed in: creating a second account for that email is refused, and the password is not taken.
    const anonymous = await acceptAsNewcomer(h, secret, { name: 'Mallory', password: 'mallory chosen password' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error_description).toMatch(/sign in/);
    await expect(h.signIn(viewer.email, 'mallory chosen password')).rejects.toThrow();

    // Signed in as someone else: 403, no membership.
    const wrong = await bystander.request('POST', url, {});
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toBe('forbidden');
    // Without the CSRF header: 403 too.
    expect((await viewer.request('POST', url, {}, { csrf: false })).statusCode).toBe(403);
    expect((await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`)).json().items.map((m: { userId: string }) => m.userId)).not.toContain(
      viewer.userId,
    );

    const ok = await viewer.request('POST', url, {});
    expect(ok.statusCode).toBe(200);
    expect(ok.json().csrfToken).toBeUndefined();
    expect(ok.json().memberships).toContainEqual({ orgId: h.orgId, orgName: 'My organization', role: 'member' });
    expect((await viewer.request('GET', `/console/api/orgs/${h.orgId}/members`)).statusCode).toBe(200);
    await expect(h.signIn(viewer.email, ADMIN_PASSWORD)).resolves.toBeTruthy(); // their password is untouched
    expect((await viewer.request('POST', url, {})).statusCode).toBe(404); // used once
  });

  it('revoked, expired (at exactly 7 days) and malformed links are 404 with a JSON error; one minute before, it still works', async () => {
    h = await startHarness();
    const revoked = await invite(h, 'rev@example.test');
    expect((await h.owner.request('DELETE', `${invitationsUrl(h.orgId)}/${revoked.id}`)).statusCode).toBe(204);
    expect((await h.owner.request('DELETE', `${invitationsUrl(h.orgId)}/${revoked.id}`)).statusCode).toBe(404);
    const dead = await acceptAsNewcomer(h, secretOf(revoked.inviteUrl), { name: 'Rev', password: NEW_PASSWORD });
    expect(dead.statusCode).toBe(404);
    expect(dead.json()).toEqual({ error: 'not_found', error_description: expect.stringMatching(/invitation/) });
    await expect(h.signIn('rev@example.test', NEW_PASSWORD)).rejects.toThrow();

    const late = await invite(h, 'late@example.test');
    const onTime = await invite(h, 'ontime@example.test');
    h.clock.advance(7 * 24 * 3600 - 60);
    expect((await acceptAsNewcomer(h, secretOf(onTime.inviteUrl), { name: 'On time', password: NEW_PASSWORD })).statusCode).toBe(201);
    h.clock.advance(60); // exactly 7 days after it was made
    expect((await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secretOf(late.inviteUrl)}` })).statusCode).toBe(404);
    expect((await acceptAsNewcomer(h, secretOf(late.inviteUrl), { name: 'Late', password: NEW_PASSWORD })).statusCode).toBe(404);
    // Console sessions last 12 hours: the owner signs in again to look.
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect((await owner.request('GET', invitationsUrl(h.orgId))).json().items).toEqual([]);

    for (const secret of ['nope', `ghinv_${'A'.repeat(43)}`, `${secretOf(late.inviteUrl)}x`]) {
      expect((await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secret}` })).statusCode).toBe(404);
    }
    const actions = (await audit(owner)).map((e) => e.action);
    expect(actions).toContain('invitation.revoke');
  });

  it('two people racing to accept one link: one account, one membership, the other gets 404', async () => {
    h = await startHarness();
    const { inviteUrl } = await invite(h, 'race@example.test', 'viewer');
    const results = await Promise.all(
      ['first racer password', 'second racer password'].map((password) => acceptAsNewcomer(h, secretOf(inviteUrl), { name: 'Racer', password })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 404]);
    const winner = results.find((r) => r.statusCode === 201)!.json();
    const members = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`))
      .json()
      .items.filter((m: { email: string }) => m.email === 'race@example.test');
    expect(members).toEqual([expect.objectContaining({ userId: winner.user.id, role: 'viewer' })]);
  });

  it('GATEHOUSE_INVITATION_TTL_HOURS sets the expiry', async () => {
    h = await startHarness({ env: { GATEHOUSE_INVITATION_TTL_HOURS: '2' } });
    const created = await invite(h, 'soon@example.test');
    expect(created.expiresAt).toBe('2026-06-01T14:00:00.000Z');
    h.clock.advance(2 * 3600);
    expect((await acceptAsNewcomer(h, secretOf(created.inviteUrl), { name: 'Soon', password: NEW_PASSWORD })).statusCode).toBe(404);
  });

  it('only owners invite, list and revoke (403); another organization is 404; nobody invites above their own role', async () => {
    h = await startHarness();
    const admin = await h.addUser('admin');
    const pending = await invite(h, 'p@example.test', 'viewer');
    for (const [method, url, body] of [
      ['POST', invitationsUrl(h.orgId), { email: 'x@example.test', role: 'viewer' }],
      ['GET', invitationsUrl(h.orgId), undefined],
      ['DELETE', `${invitationsUrl(h.orgId)}/${pending.id}`, undefined],
    ] as const) {
      const res = await admin.request(method, url, body);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('forbidden');
    }
    const foreign = await admin.request('POST', '/console/api/orgs', { name: 'Admin org' });
    const foreignOrg = foreign.json().id as string;
    expect((await h.owner.request('POST', invitationsUrl(foreignOrg), { email: 'x@example.test', role: 'viewer' })).statusCode).toBe(404);
    expect((await h.owner.request('GET', invitationsUrl(foreignOrg))).statusCode).toBe(404);
    // Revoking by id through another organization's path: not found, and the invitation stays.
    expect((await admin.request('DELETE', `${invitationsUrl(foreignOrg)}/${pending.id}`)).statusCode).toBe(404);
    expect((await h.owner.request('GET', invitationsUrl(h.orgId))).json().items.map((i: { id: string }) => i.id)).toEqual([pending.id]);
    // Without a session or without the CSRF header.
    expect((await h.gh.app.inject({ method: 'GET', url: invitationsUrl(h.orgId) })).statusCode).toBe(401);
    expect((await h.owner.request('POST', invitationsUrl(h.orgId), { email: 'y@example.test', role: 'viewer' }, { csrf: false })).statusCode).toBe(403);
    // Bad input changes nothing.
    for (const body of [
      { email: 'not an email', role: 'viewer' },
      { email: 'z@example.test', role: 'superuser' },
      { email: 'z@example.test', role: 'viewer', password: 'chosen for them 123' },
    ]) {
      const res = await h.owner.request('POST', invitationsUrl(h.orgId), body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    }
    expect((await h.owner.request('GET', invitationsUrl(h.orgId))).json().items).toHaveLength(1);
  });

  it('[P2] answers the same for an email with an account and one without; the list never shows the link', async () => {
    h = await startHarness();
    const other = await h.createOrg('Other');
    const known = await h.addUser('viewer', other);
    const a = await h.owner.request('POST', invitationsUrl(h.orgId), { email: known.email, role: 'viewer' });
    const b = await h.owner.request('POST', invitationsUrl(h.orgId), { email: 'nobody@example.test', role: 'viewer' });
    const shape = (res: typeof a) => ({
      status: res.statusCode,
      headers: Object.keys(res.headers).sort(),
      keys: Object.keys(res.json()).sort(),
      body: { ...res.json(), id: '', email: '', inviteUrl: res.json().inviteUrl.replace(/ghinv_.*/, '') },
    });
    expect(shape(a)).toEqual(shape(b));

    const list = await h.owner.request('GET', invitationsUrl(h.orgId));
    expect(list.json().items).toEqual(
      [a, b].map((r) => ({
        id: r.json().id,
        email: r.json().email,
        role: 'viewer',
        createdAt: '2026-06-01T12:00:00.000Z',
        expiresAt: '2026-06-08T12:00:00.000Z',
        invitedBy: { id: h.owner.userId, name: 'owner' },
      })),
    );
    for (const r of [a, b]) expect(list.body).not.toContain(secretOf(r.json().inviteUrl));
    const paged = await h.owner.request('GET', `${invitationsUrl(h.orgId)}?limit=1`);
    expect(paged.json().nextCursor).toEqual(expect.any(String));
  });

  it('the secret never appears in a log line, even the request log of the link itself', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    h = await startHarness({ logger: { level: 'trace', stream } });
    const { inviteUrl } = await invite(h, 'logged@example.test');
    const secret = secretOf(inviteUrl);
    await h.gh.app.inject({ method: 'GET', url: `/invite/${secret}` });
    await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secret}` });
    await acceptAsNewcomer(h, secret, { name: 'Logged', password: 'short' });
    await acceptAsNewcomer(h, secret, { name: 'Logged', password: NEW_PASSWORD });
    await acceptAsNewcomer(h, secret, { name: 'Logged', password: NEW_PASSWORD });
    const all = lines.join('');
    expect(all).toContain('/console/api/invitations/ghinv_[redacted]');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(NEW_PASSWORD);
  });
});
