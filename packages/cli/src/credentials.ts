import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.js';

/** What `gatehouse login` stores: everything needed to get access tokens later. */
export interface StoredCredentials {
  version: 1;
  url: string;
  email: string;
  /** The refresh token's id (`rt_...`) and name, as listed in the console. */
  refreshTokenId: string;
  name: string;
  refreshToken: string;
  createdAt: string;
}

export interface CachedToken {
  accessToken: string;
  expiresAt: number;
  scope: string;
}

/** `$XDG_CONFIG_HOME/gatehouse` (default `~/.config/gatehouse`). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'gatehouse');
}

export const credentialsPath = (env: NodeJS.ProcessEnv): string => path.join(configDir(env), 'credentials.json');
const tokenCachePath = (env: NodeJS.ProcessEnv): string => path.join(configDir(env), 'token-cache.json');

/**
 * Writes `data` as JSON readable by the owner only: the directory 0700, the file 0600, written
 * to a temporary file created with that mode and renamed over the old one, so that no other user
 * ever sees the secret, not even for a moment, and a crash never leaves half a file.
 */
function writePrivate(file: string, data: unknown): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.chmodSync(tmp, 0o600); // in case a umask or an odd filesystem widened it
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON; remove it and run \`gatehouse login\` again`);
  }
}

export function loadCredentials(env: NodeJS.ProcessEnv): StoredCredentials | undefined {
  const file = credentialsPath(env);
  const data = readJson(file) as Partial<StoredCredentials> | undefined;
  if (data === undefined) return undefined;
  if (typeof data.url !== 'string' || typeof data.refreshToken !== 'string') {
    throw new CliError(`${file} is not a Gatehouse credentials file; remove it and run \`gatehouse login\` again`);
  }
  return data as StoredCredentials;
}

export function saveCredentials(env: NodeJS.ProcessEnv, credentials: StoredCredentials): string {
  const file = credentialsPath(env);
  writePrivate(file, credentials);
  return file;
}

/** Forgets the credentials and every cached access token; true if there was anything to forget. */
export function forgetCredentials(env: NodeJS.ProcessEnv): boolean {
  const file = credentialsPath(env);
  const existed = fs.existsSync(file);
  fs.rmSync(file, { force: true });
  fs.rmSync(tokenCachePath(env), { force: true });
  return existed;
}

/**
 * Access tokens cached between invocations, keyed by a hash of everything that identifies the
 * credential (URL, kind, id, the secret itself, the scope asked for), so that a rotated secret or
 * another account never reuses a token. The secret is in the hash input only, never in the file.
 */
export const cacheKey = (...parts: string[]): string => crypto.createHash('sha256').update(parts.join('\n')).digest('base64url');

export function cachedToken(env: NodeJS.ProcessEnv, key: string, validUntilAtLeast: number): CachedToken | undefined {
  const cache = readJson(tokenCachePath(env)) as Record<string, CachedToken> | undefined;
  const entry = cache?.[key];
  return entry && typeof entry.accessToken === 'string' && entry.expiresAt > validUntilAtLeast ? entry : undefined;
}

export function cacheToken(env: NodeJS.ProcessEnv, key: string, token: CachedToken, now: number): void {
  let cache: Record<string, CachedToken> = {};
  try {
    cache = (readJson(tokenCachePath(env)) as Record<string, CachedToken> | undefined) ?? {};
  } catch {
    // A damaged cache is replaced.
  }
  const kept = Object.fromEntries(Object.entries(cache).filter(([, t]) => t && t.expiresAt > now));
  writePrivate(tokenCachePath(env), { ...kept, [key]: token });
}
