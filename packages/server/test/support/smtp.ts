import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on a loopback port that hands over each message it receives. */
export async function startSmtp() {
  const received: ParsedMail[] = [];
  const waiters: Array<(m: ParsedMail) => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'], // plain SMTP on loopback; nodemailer would otherwise try TLS
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        waiters.shift()?.(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** The next message, or a failure after `ms` (real time: a loopback delivery takes milliseconds). */
    next: (ms = 10_000) =>
      new Promise<ParsedMail>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no mail arrived')), ms);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
