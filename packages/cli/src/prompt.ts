import readline from 'node:readline';
import { CliError } from './errors.js';
import type { Io } from './io.js';

/** Reads all of standard input (for `--password-stdin` and `--data -`). */
export async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A password from standard input: one line, its line ending removed (like `docker login --password-stdin`). */
export async function passwordFromStdin(io: Io): Promise<string> {
  const text = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (!text) throw new CliError('--password-stdin read an empty password');
  if (text.includes('\n')) throw new CliError('--password-stdin expects the password alone on one line');
  return text;
}

const isTty = (io: Io): boolean => Boolean((io.stdin as { isTTY?: boolean }).isTTY);

/** Asks a question on the terminal (prompt on stderr, so stdout stays clean for --json). */
export async function ask(io: Io, question: string): Promise<string> {
  if (!isTty(io)) throw new CliError(`no terminal to ask "${question.trim()}" on: pass it as an option`);
  const rl = readline.createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return (await new Promise<string>((resolve) => rl.question(question, resolve))).trim();
  } finally {
    rl.close();
  }
}

/** Reads a password from the terminal without echoing it. */
export async function askHidden(io: Io, question: string): Promise<string> {
  if (!isTty(io)) throw new CliError('no terminal to ask for the password on: use --password-stdin');
  const stdin = io.stdin as NodeJS.ReadStream;
  // Echo off before the prompt appears, so nothing typed after it can be echoed.
  stdin.setRawMode(true);
  io.stderr.write(question);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            io.stderr.write('\n');
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            // Ctrl-C
            stdin.off('data', onData);
            io.stderr.write('\n');
            reject(new CliError('cancelled', 130));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
