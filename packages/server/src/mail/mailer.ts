import nodemailer, { type Transporter } from 'nodemailer';

/** What an invitation mail says; `url` carries the invitation's secret and is never logged. */
export interface InvitationMail {
  to: string;
  orgName: string;
  inviterName: string;
  role: string;
  url: string;
  expiresAt: Date;
}

/**
 * [P1] [P5] Outgoing mail over SMTP (`GATEHOUSE_SMTP_URL`, `GATEHOUSE_MAIL_FROM`), with nodemailer.
 * Sending never sits on a request's answer: `send` starts the delivery and returns its promise for
 * the caller to report a failure; `close` waits for what is in flight (shutdown, tests).
 */
export class Mailer {
  private readonly transport: Transporter;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: { smtpUrl: string; from: string }) {
    this.transport = nodemailer.createTransport({
      url: options.smtpUrl,
      // Bounded: a mail server that hangs must not pile up connections.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  sendInvitation(mail: InvitationMail): Promise<void> {
    const text = [
      `${mail.inviterName} invites you to join ${mail.orgName} on Gatehouse as ${mail.role}.`,
      '',
      `Accept the invitation: ${mail.url}`,
      '',
      `The link works once and expires on ${mail.expiresAt.toISOString()}.`,
      'If you did not expect this invitation, ignore this message.',
    ].join('\n');
    const sending = this.transport.sendMail({ from: this.options.from, to: mail.to, subject: `Join ${mail.orgName} on Gatehouse`, text }).then(() => undefined);
    this.inFlight.add(sending);
    void sending.catch(() => {}).finally(() => this.inFlight.delete(sending));
    return sending;
  }

  /** [P5] The reset link, to the account's own address only. */
  sendPasswordReset(mail: { to: string; url: string; expiresAt: Date }): Promise<void> {
    const text = [
      'Someone asked to reset the password of your Gatehouse account.',
      '',
      `Choose a new password: ${mail.url}`,
      '',
      `The link works once and expires on ${mail.expiresAt.toISOString()}. Using it signs you out everywhere.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n');
    return this.track(this.transport.sendMail({ from: this.options.from, to: mail.to, subject: 'Reset your Gatehouse password', text }).then(() => undefined));
  }

  private track(sending: Promise<void>): Promise<void> {
    this.inFlight.add(sending);
    void sending.catch(() => {}).finally(() => this.inFlight.delete(sending));
    return sending;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.transport.close();
  }
}
