import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { passwordProblem } from '../../src/users/password-policy.js';
import { acceptAsNewcomer, invite, secretOf } from '../invitations/support.js';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/**
 * [R4] The list is read off the path to listening (first thing in this file, so nothing has read it
 * yet in this process): a check made before it is read waits for it and still refuses.
 */
describe('the common-password list, read in the background', () => {
  it('a check made before the list is read waits for it instead of letting a common password through', async () => {
    expect(await passwordProblem('iloveyou1234', 'x@example.test')).toMatch(/common or breached/);
  });
});

/** [P4] Passwords: at least 12 characters, not the email nor made from it, not on the bundled list. */
describe('password policy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['short pw', /at least 12 characters/],
    ['aaaaaaaaaaaa', /common or breached/],
    ['password1234', /common or breached/],
    ['PASSWORD1234', /common or breached/],
    ['ana.lopez@example.test', /email/],
    ['Ana.Lopez2024!', /email/],
    ['zepol.ana!!!', /email/],
  ])('accepting an invitation with %j is a 400 naming the rule, and changes nothing', async (password, rule) => {
    const { inviteUrl } = await invite(h, 'Ana.Lopez@example.test');
    const res = await acceptAsNewcomer(h, secretOf(inviteUrl), { name: 'Ana', password });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(rule) });
    expect(res.headers['set-cookie']).toBeUndefined();
    await expect(h.signIn('ana.lopez@example.test', password)).rejects.toThrow();
    // The invitation is still pending and works with an acceptable password.
    const preview = await h.gh.app.inject({ method: 'GET', url: `/console/api/invitations/${secretOf(inviteUrl)}` });
    expect(preview.statusCode).toBe(200);
  });

  it('accepts a long uncommon password, and the list holds over 40,000 entries of 12 characters or more', async () => {
    expect(await passwordProblem('violet kettle marching north', 'ana@example.test')).toBeNull();
    expect(await passwordProblem(ADMIN_PASSWORD, 'owner@example.test')).toBeNull();
    // Entries from deep in the 1,000,000-entry list, not only its top.
    expect(await passwordProblem('qwertyuiop123', 'x@example.test')).toMatch(/common/);
    expect(await passwordProblem('iloveyou1234', 'x@example.test')).toMatch(/common/);
  });

  it('GATEHOUSE_ADMIN_PASSWORD follows the policy at start (a ConfigError names the rule, never the password)', async () => {
    for (const [password, rule] of [
      ['short', /at least 12/],
      ['owner@example.test', /email/],
    ] as const) {
      const load = () => loadConfig({ GATEHOUSE_ADMIN_EMAIL: 'owner@example.test', GATEHOUSE_ADMIN_PASSWORD: password });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(rule);
      try {
        load();
      } catch (err) {
        expect((err as Error).message).not.toContain(password);
      }
    }
    // The list is consulted where the first owner is created (so later starts never read it): the
    // first start of an empty database refuses a common password the same way.
    const refused = await startHarness({ env: { GATEHOUSE_ADMIN_PASSWORD: 'password1234' } }).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused?.message).toMatch(/GATEHOUSE_ADMIN_PASSWORD is refused: .*common/);
    expect(refused?.message).not.toContain('password1234');
    expect(() => loadConfig({ GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD })).not.toThrow();
  });
});
