import os from 'node:os';
// The console API's shapes, written once in the contract (types only, nothing at run time).
import type { CreateRefreshToken, ErrorResponse, RefreshTokenCreated, Session } from '@gatehouse/contract';
import { revokeRefreshToken, TokenRequestError } from '@gatehouse/sdk';
import { resolveUrl } from './access.js';
import { credentialsPath, forgetCredentials, loadCredentials, saveCredentials, type StoredCredentials } from './credentials.js';
import { CliError } from './errors.js';
import { printJson, type Io } from './io.js';
import { ask, askHidden, passwordFromStdin } from './prompt.js';

const TIMEOUT_MS = 15_000;

async function call(url: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  try {
    return await fetch(`${url}${path}`, {
      method,
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch {
    throw new CliError(`cannot reach ${url}`);
  }
}

async function failure(res: Response, what: string): Promise<CliError> {
  const body = (await res.json().catch(() => null)) as Partial<ErrorResponse> | null;
  return new CliError(`${what}: HTTP ${res.status}${body?.error ? ` ${body.error}` : ''}${body?.error_description ? `: ${body.error_description}` : ''}`);
}

export interface LoginOptions {
  url?: string;
  email?: string;
  passwordStdin?: boolean;
  name?: string;
  scope?: string[];
  org?: string[];
  json?: boolean;
}

/**
 * `gatehouse login` [B1]: signs in to the console API, creates a personal refresh token named
 * after this machine, signs the console session out again, and stores the refresh token in
 * `$XDG_CONFIG_HOME/gatehouse/credentials.json` (mode 0600). A refresh token stored by an earlier
 * login is revoked once the new one is safely on disk.
 */
export async function login(io: Io, opts: LoginOptions): Promise<void> {
  const url = resolveUrl(io, opts.url, 'which Gatehouse? pass --url or set GATEHOUSE_URL');
  const email = opts.email ?? (await ask(io, 'Email: '));
  if (!email) throw new CliError('an email is required');
  const password = opts.passwordStdin ? await passwordFromStdin(io) : await askHidden(io, 'Password: ');
  if (!password) throw new CliError('a password is required');

  const signIn = await call(url, 'POST', '/console/api/session', { body: { email, password } });
  if (signIn.status === 401) throw new CliError('sign-in failed: wrong email or password');
  if (!signIn.ok) throw await failure(signIn, 'sign-in failed');
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
  const { csrfToken } = (await signIn.json()) as Partial<Session>;
  if (!cookie || !csrfToken) throw new CliError('sign-in answered without a session');
  const session = { cookie, 'x-csrf-token': csrfToken };

  try {
    const name = opts.name ?? `gatehouse CLI on ${os.hostname()}`;
    const body: CreateRefreshToken = { name, ...(opts.scope?.length ? { scopes: opts.scope } : {}), ...(opts.org?.length ? { orgIds: opts.org } : {}) };
    const created = await call(url, 'POST', '/console/api/me/refresh-tokens', { headers: session, body });
    if (!created.ok) throw await failure(created, 'creating a refresh token failed');
    const token = (await created.json()) as RefreshTokenCreated;

    const previous = safeLoad(io);
    const file = saveCredentials(io.env, {
      version: 1,
      url,
      email,
      refreshTokenId: token.id,
      name: token.name,
      refreshToken: token.refreshToken,
      createdAt: new Date().toISOString(),
    });
    if (previous && previous.refreshToken !== token.refreshToken) {
      await revokeRefreshToken(previous.url, previous.refreshToken).catch(() => {}); // best effort: the old one is replaced either way
    }
    if (opts.json) printJson(io, { url, email, refreshTokenId: token.id, name: token.name, credentialsFile: file });
    else io.stdout.write(`Signed in to ${url} as ${email}. Refresh token "${token.name}" (${token.id}) stored in ${file}\n`);
  } finally {
    // The console session was only needed to create the refresh token.
    await call(url, 'DELETE', '/console/api/session', { headers: session }).catch(() => {});
  }
}

function safeLoad(io: Io): StoredCredentials | undefined {
  try {
    return loadCredentials(io.env);
  } catch {
    return undefined;
  }
}

/** `gatehouse logout`: revokes the stored refresh token (RFC 7009), then forgets it and the cached access tokens. */
export async function logout(io: Io, opts: { force?: boolean; json?: boolean }): Promise<void> {
  const credentials = loadCredentials(io.env);
  if (!credentials) throw new CliError(`not signed in (no ${credentialsPath(io.env)})`);
  let revoked = true;
  try {
    await revokeRefreshToken(credentials.url, credentials.refreshToken);
  } catch (err) {
    revoked = false;
    if (!opts.force) {
      const why = err instanceof TokenRequestError ? err.message : (err as Error).message;
      throw new CliError(`could not revoke the refresh token (${why}); nothing was forgotten. Retry, or use --force to forget it anyway`);
    }
  }
  forgetCredentials(io.env);
  if (opts.json) printJson(io, { url: credentials.url, refreshTokenId: credentials.refreshTokenId, revoked, forgotten: true });
  else
    io.stdout.write(
      `${revoked ? 'Revoked' : 'Could not revoke'} refresh token "${credentials.name}" (${credentials.refreshTokenId}) and removed ${credentialsPath(io.env)}\n`,
    );
}
