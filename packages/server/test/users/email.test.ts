import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/users/email.js';
import { acceptAsNewcomer, invite, secretOf } from '../invitations/support.js';
import { startHarness, type Harness } from '../support/harness.js';

const PASSWORD = 'violet kettle marching north';

/** [P8] Emails are compared after NFKC and lower-casing, in storage, look-ups and invitations. */
describe('email normalization', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('maps case, full-width, ligature, combining and dotted-İ forms to one string, and is stable', () => {
    expect(normalizeEmail('  Ana@Example.TEST ')).toBe('ana@example.test');
    expect(normalizeEmail('ＡＮＡ＠ｅｘａｍｐｌｅ．ｔｅｓｔ')).toBe('ana@example.test');
    expect(normalizeEmail('ﬁona@example.test')).toBe('fiona@example.test');
    const dotted = ['İpek@example.test', 'I\u0307pek@example.test', 'i\u0307pek@example.test'].map(normalizeEmail);
    expect(new Set(dotted).size).toBe(1);
    for (const e of ['İpek@example.test', 'ＡＮＡ＠ｅｘａｍｐｌｅ．ｔｅｓｔ', 'ß@Straße.test', 'ǅ@x.test']) {
      expect(normalizeEmail(normalizeEmail(e))).toBe(normalizeEmail(e));
    }
  });

  it('an account made from a full-width invitation signs in with every form, and a second account for another form is refused', async () => {
    const created = await invite(h, 'ＦＩＯＮＡ@Example.test');
    expect(created.email).toBe('fiona@example.test');
    const accepted = await acceptAsNewcomer(h, secretOf(created.inviteUrl), { name: 'Fiona', password: PASSWORD });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().user.email).toBe('fiona@example.test');
    for (const form of ['fiona@example.test', 'FIONA@EXAMPLE.TEST', 'ﬁona@example.test', 'ｆｉｏｎａ＠ｅｘａｍｐｌｅ．ｔｅｓｔ', ' Fiona@example.test ']) {
      const session = await h.signIn(form, PASSWORD);
      expect(session.userId).toBe(accepted.json().user.id);
    }
    // Another invitation, to a compatibility form of the same address, finds the existing account.
    const second = await invite(h, 'ﬁONA@example.test', 'viewer', await h.createOrg('Second'));
    const again = await acceptAsNewcomer(h, secretOf(second.inviteUrl), { name: 'Fiona two', password: 'another long password 9' });
    expect(again.statusCode).toBe(401);
  });

  it('dotted capital İ, its decomposed form and its lower-case form are one account', async () => {
    const created = await invite(h, 'İpek@example.test');
    expect((await acceptAsNewcomer(h, secretOf(created.inviteUrl), { name: 'İpek', password: PASSWORD })).statusCode).toBe(201);
    const ids = new Set<string>();
    for (const form of ['İpek@example.test', 'I\u0307pek@example.test', 'i\u0307pek@example.test', 'İPEK@EXAMPLE.TEST']) {
      ids.add((await h.signIn(form, PASSWORD)).userId);
    }
    expect(ids.size).toBe(1);
  });
});
