import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';
import { startSmtp } from '../support/smtp.js';

const NEW_PASSWORD = 'a reset passphrase of my own';
const ask = (h: Harness, email: string) => h.gh.app.inject({ method: 'POST', url: '/console/api/password-reset', payload: { email } });
const use = (h: Harness, secret: string, newPassword = NEW_PASSWORD) =>
  h.gh.app.inject({ method: 'POST', url: `/console/api/password-reset/${secret}`, payload: { newPassword } });
const secretOf = (text: string) => /\/reset\/(ghrst_[A-Za-z0-9_-]{43})/.exec(text)?.[1];

/** §11 [P5]: a password reset by a mailed link, or by the operator's printed one. */
describe('password reset', () => {
  let h: Harness | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
    h = undefined;
    smtp = undefined;
  });

  const withSmtp = async () => {
    smtp = await startSmtp();
    const lines: string[] = [];
    h = await startHarness({
      env: { GATEHOUSE_SMTP_URL: smtp.url, GATEHOUSE_MAIL_FROM: 'gatehouse@example.test' },
      logger: { level: 'debug', stream: { write: (l: string) => lines.push(l) } },
    });
    return { h, smtp, lines };
  };

  it('mails a single-use link; using it sets the password and ends every session; the secret is never logged', async () => {
    const { h, smtp, lines } = await withSmtp();
    const other = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const mail = smtp.next();
    const res = await ask(h, ` ${ADMIN_EMAIL.toUpperCase()} `);
    expect(res.statusCode).toBe(202);
    const received = await mail;
    expect(received.to).toMatchObject({ text: ADMIN_EMAIL });
    const secret = secretOf(received.text ?? '')!;
    expect(secret).toBeTruthy();
    expect(res.body).not.toContain(secret);

    expect((await use(h, secret, 'short')).statusCode).toBe(400); // the policy applies; the link stays usable
    const done = await use(h, secret);
    expect(done.statusCode).toBe(204);
    for (const s of [h.owner, other]) expect((await s.request('GET', '/console/api/me')).statusCode).toBe(401);
    await expect(h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).rejects.toThrow(/401/);
    await expect(h.signIn(ADMIN_EMAIL, NEW_PASSWORD)).resolves.toBeTruthy();
    const again = await use(h, secret, 'yet another passphrase here');
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toBe('not_found');

    expect(lines.join('')).not.toContain(secret.slice(6));
    const audit = JSON.stringify(await h.gh.db.query("SELECT * FROM audit_events WHERE action LIKE 'user.password_reset%'"));
    expect(audit).not.toContain(secret.slice(6));
    expect(audit).not.toContain(NEW_PASSWORD);
  });

  it('the link works for 30 minutes, not a second more', async () => {
    const { h, smtp } = await withSmtp();
    let mail = smtp.next();
    await ask(h, ADMIN_EMAIL);
    const late = secretOf((await mail).text ?? '')!;
    h.clock.advance(30 * 60);
    expect((await use(h, late)).statusCode).toBe(404);
    mail = smtp.next();
    await ask(h, ADMIN_EMAIL);
    const inTime = secretOf((await mail).text ?? '')!;
    h.clock.advance(30 * 60 - 1);
    expect((await use(h, inTime)).statusCode).toBe(204);
  });

  it('answers the same for an email with and without an account, and mails only the account', async () => {
    const { h, smtp } = await withSmtp();
    const known = await ask(h, ADMIN_EMAIL);
    const unknown = await ask(h, 'nobody-here@example.test');
    expect([known.statusCode, known.body, known.headers['content-type']]).toEqual([unknown.statusCode, unknown.body, unknown.headers['content-type']]);
    expect(known.statusCode).toBe(202);
    await smtp.next();
    await new Promise((r) => setTimeout(r, 200)); // a loopback delivery takes milliseconds
    expect(smtp.received.map((m) => m.to)).toHaveLength(1);
    expect((await ask(h, 'not an email')).statusCode).toBe(400);
    expect((await use(h, `ghrst_${'A'.repeat(43)}`)).statusCode).toBe(404);
    expect((await use(h, 'garbage')).statusCode).toBe(404);
  });

  it('without SMTP, asking by email says to ask the operator; the operator entry prints a working link', async () => {
    h = await startHarness();
    const res = await ask(h, ADMIN_EMAIL);
    expect(res.statusCode).toBe(409);
    expect(res.json().error_description).toMatch(/gatehouse users reset-password/);
    const { url, expiresAt } = await h.gh.services.passwords.issueForOperator(ADMIN_EMAIL);
    expect(expiresAt.toISOString()).toBe('2026-06-01T12:30:00.000Z');
    expect((await use(h, secretOf(url)!)).statusCode).toBe(204);
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(401);
  });
});
