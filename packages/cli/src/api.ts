import fs from 'node:fs';
import type { ErrorResponse } from '@gatehouse/contract';
import { CliAccess, type AccessOptions } from './access.js';
import { CliError } from './errors.js';
import { printJson, type Io } from './io.js';
import { readAll } from './prompt.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** `--data`: JSON text, `@file`, or `-` for standard input; validated before anything is sent. */
async function readData(io: Io, data: string): Promise<string> {
  let text = data;
  if (data === '-') text = await readAll(io.stdin);
  else if (data.startsWith('@')) {
    try {
      text = fs.readFileSync(data.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${data.slice(1)}: ${(err as Error).message}`);
    }
  }
  try {
    JSON.parse(text);
  } catch {
    throw new CliError('--data is not valid JSON');
  }
  return text;
}

/**
 * `gatehouse api METHOD PATH [--data JSON]`: calls Gatehouse with the bearer (retrying once with
 * a fresh token on 401) and prints the JSON answer. A non-2xx answer still prints its body on
 * stdout, and exits 1 with a one-line summary on stderr.
 */
export async function api(io: Io, method: string, path: string, opts: AccessOptions & { data?: string; json?: boolean }): Promise<void> {
  const verb = method.toUpperCase();
  if (!METHODS.has(verb)) throw new CliError(`unknown method ${method}: use one of ${[...METHODS].join(', ')}`, 2);
  if (!path.startsWith('/')) throw new CliError('PATH must start with / (e.g. /api/v1/governance/findings)', 2);
  const body = opts.data !== undefined ? await readData(io, opts.data) : undefined;
  const access = new CliAccess(io, opts);
  let res: Response;
  try {
    res = await access.fetch()(path, {
      method: verb,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
      redirect: 'error',
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot reach ${access.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: printed as it is.
  }
  if (parsed !== undefined) printJson(io, parsed, !opts.json);
  else if (text) io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (!res.ok) {
    const e = parsed as Partial<ErrorResponse> | undefined;
    throw new CliError(`${verb} ${path}: HTTP ${res.status}${e?.error ? ` ${e.error}` : ''}${e?.error_description ? `: ${e.error_description}` : ''}`);
  }
}

/** `gatehouse token`: prints an access token (cached until a minute before it expires). */
export async function token(io: Io, opts: AccessOptions & { json?: boolean }): Promise<void> {
  const access = new CliAccess(io, opts);
  const t = await access.token();
  if (opts.json) {
    printJson(io, { access_token: t.accessToken, token_type: 'Bearer', expires_at: new Date(t.expiresAt).toISOString(), scope: t.scope });
  } else {
    io.stdout.write(`${t.accessToken}\n`);
  }
}
