import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptAsNewcomer, invitationsUrl, secretOf } from '../invitations/support.js';
import { freePort } from '../support/listening.js';
import { startSmtp } from '../support/smtp.js';
import { ISSUER, startHarness, type Harness } from '../support/harness.js';

/** [P1] [P5] With GATEHOUSE_SMTP_URL and GATEHOUSE_MAIL_FROM the invitation link is mailed. */
describe('invitation mail', () => {
  let h: Harness | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
    h = undefined;
    smtp = undefined;
  });

  it('mails the link to the invited address; the link from the message is accepted; the log never holds it', async () => {
    smtp = await startSmtp();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    h = await startHarness({
      env: { GATEHOUSE_SMTP_URL: smtp.url, GATEHOUSE_MAIL_FROM: 'Gatehouse <gatehouse@example.test>' },
      logger: { level: 'trace', stream },
    });
    const arriving = smtp.next();
    const res = await h.owner.request('POST', invitationsUrl(h.orgId), { email: 'Mia@Example.test', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    const mail = await arriving;
    expect(mail.from?.value).toEqual([{ name: 'Gatehouse', address: 'gatehouse@example.test' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('mia@example.test');
    expect(mail.subject).toBe('Join My organization on Gatehouse');
    const link = /(https?:\/\/\S+\/invite\/ghinv_[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
    expect(link).toBe(res.json().inviteUrl);
    expect(link!.startsWith(`${ISSUER}/invite/`)).toBe(true);

    const accepted = await acceptAsNewcomer(h, secretOf(link!), { name: 'Mia', password: 'violet kettle marching north' });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().memberships).toEqual([{ orgId: h.orgId, orgName: 'My organization', role: 'viewer' }]);
    expect(lines.join('')).not.toContain(secretOf(link!));
  });

  it('an unreachable mail server does not fail the invitation; the warning carries no link', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    h = await startHarness({
      env: { GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${port}`, GATEHOUSE_MAIL_FROM: 'gh@example.test' },
      logger: { level: 'info', stream },
    });
    const res = await h.owner.request('POST', invitationsUrl(h.orgId), { email: 'nomail@example.test', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    await h.gh.close(); // waits for the mail attempt in flight
    h = undefined;
    const all = lines.join('');
    expect(all).toContain('the invitation mail could not be sent');
    expect(all).not.toContain(secretOf(res.json().inviteUrl));
  });
});
