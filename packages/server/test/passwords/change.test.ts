import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

const NEW_PASSWORD = 'a brand new passphrase of mine';
const change = '/console/api/me/password';

/** §11 [P4]: changing one's own password, and the forced change of a generated one. */
describe('password change', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('needs the current password, applies the policy, ends the other sessions, keeps this one, and is audited', async () => {
    h = await startHarness();
    const other = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const wrong = await h.owner.request('POST', change, { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toBe('invalid_request');
    for (const newPassword of ['short', ADMIN_EMAIL, 'password1234']) {
      const res = await h.owner.request('POST', change, { currentPassword: ADMIN_PASSWORD, newPassword });
      expect(res.statusCode, newPassword).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
    expect((await other.request('GET', '/console/api/me')).statusCode).toBe(200); // nothing changed yet
    expect((await h.owner.request('POST', change, { currentPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD }, { csrf: false })).statusCode).toBe(403);

    const ok = await h.owner.request('POST', change, { currentPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.statusCode).toBe(204);
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(200);
    expect((await other.request('GET', '/console/api/me')).statusCode).toBe(401);
    await expect(h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).rejects.toThrow(/401/);
    await expect(h.signIn(ADMIN_EMAIL, NEW_PASSWORD)).resolves.toBeTruthy();

    const rows = await h.gh.db.query<{ action: string; detail: unknown }>("SELECT action, detail FROM audit_events WHERE action = 'user.password_change'");
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(rows)).not.toContain(ADMIN_PASSWORD);
  });

  it('wrong current passwords are rate limited like failed sign-ins (429)', async () => {
    h = await startHarness({ env: { GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '3/0.01', GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS: '100/0.01' } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await h.owner.request('POST', change, { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })).statusCode);
    expect(codes).toEqual([400, 400, 400, 429]);
    // Even the right password waits now: guessing cannot go on.
    expect((await h.owner.request('POST', change, { currentPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD })).statusCode).toBe(429);
  });

  it('a generated first-owner password must be changed first: every other call is 403 password_change_required', async () => {
    h = await startHarness({ env: { GATEHOUSE_ADMIN_PASSWORD: '' } });
    const generated = h.gh.bootstrap!.generatedPassword!;
    expect(generated).toBeTruthy();
    const signIn = await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email: ADMIN_EMAIL, password: generated } });
    expect(signIn.json()).toMatchObject({ passwordChangeRequired: true });
    for (const [method, url] of [
      ['GET', `/console/api/orgs/${h.orgId}/members`],
      ['GET', '/console/api/orgs'],
      ['POST', '/console/api/me/refresh-tokens'],
      ['GET', '/console/api/me/sessions'],
    ] as const) {
      const res = await h.owner.request(method, url, method === 'POST' ? { name: 'x' } : undefined);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({ error: 'password_change_required', error_description: expect.any(String) });
    }
    // Reading the session and the person is allowed, so the console can show the change screen.
    expect((await h.owner.request('GET', '/console/api/session')).json()).toMatchObject({ passwordChangeRequired: true });
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(200);
    expect((await h.owner.request('POST', change, { currentPassword: generated, newPassword: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`)).statusCode).toBe(200);
    expect((await h.owner.request('GET', '/console/api/session')).json()).not.toHaveProperty('passwordChangeRequired');
  });
});
