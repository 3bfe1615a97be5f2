/**
 * What the `gatehouse` CLI (packages/cli) runs for its operator commands, `gatehouse serve` and
 * `gatehouse migrate`. Additive: `npm start` still runs main.ts, and `gatehouse serve` runs that
 * very module, so both start the server the same way (configuration, banner, signals).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { backupStream } from './backup/backup.js';
import type { BackupTrailer } from './backup/format.js';
import { assertEmpty, checkHeader, restoreBackup, RestoreError } from './backup/restore.js';
import { loadCatalogueFile } from './catalogue/load.js';
import { loadConfig, type Config } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { createPgDb } from './db/pg-driver.js';
import { createPgliteDb } from './db/pglite-driver.js';
import { fsyncFile, renameDurably } from './durable-file.js';
import { systemClock } from './clock.js';
import { AuditLog } from './audit/audit-log.js';
import { MasterKey } from './crypto/master-key.js';
import { PasswordHasher } from './crypto/passwords.js';
import { SecretHasher } from './crypto/secrets.js';
import { loadServerKey } from './crypto/server-keys.js';
import { PasswordService } from './passwords/service.js';
import { SessionService } from './sessions/service.js';
import { PUBLISH_AHEAD_SECONDS, SigningKeys } from './tokens/signing-keys.js';

export { ConfigError } from './config.js';
export { CatalogueError } from './catalogue/load.js';
export { DataDirLockedError } from './db/data-dir-lock.js';
export { RestoreError } from './backup/restore.js';

/** Starts the server exactly as `npm start` does, from the environment; returns once it is starting. */
export async function serve(): Promise<void> {
  await import('./main.js');
}

/** Applies pending migrations to the configured database (safe while instances run); returns what was applied. */
export async function migrateDatabase(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const { config } = loadConfig(env);
  const db: Db = config.databaseUrl ? createPgDb({ connectionString: config.databaseUrl, max: 2 }) : await createPgliteDb(config.dataDir);
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}

/**
 * `gatehouse keys rotate`: adds a signing key, published at once and signing PUBLISH_AHEAD_SECONDS
 * later; running instances pick it up through the change feed (server mode).
 */
export async function rotateSigningKey(env: NodeJS.ProcessEnv = process.env): Promise<{ kid: string; signsFrom: string }> {
  const { config } = loadConfig(env);
  const db: Db = config.databaseUrl ? createPgDb({ connectionString: config.databaseUrl, max: 2 }) : await createPgliteDb(config.dataDir);
  try {
    await migrate(db);
    const master = config.masterKey ? MasterKey.fromString(config.masterKey) : MasterKey.fromDataDir(config.dataDir);
    const keys = new SigningKeys(db, master, systemClock);
    await keys.init();
    const kid = (await keys.rotate())!;
    return { kid, signsFrom: new Date(Date.now() + PUBLISH_AHEAD_SECONDS * 1000).toISOString() };
  } finally {
    await db.close();
  }
}

/**
 * `gatehouse catalogue check FILE` [C2]: validates a catalogue offline with the very code the
 * server starts with; throws a CatalogueError naming the place, or counts what the file holds.
 */
export function checkCatalogue(file: string): { apis: number; scopes: number; routes: number } {
  const catalogue = loadCatalogueFile(file);
  return {
    apis: catalogue.apis.length,
    scopes: catalogue.apis.reduce((n, a) => n + a.scopes.length, 0),
    routes: catalogue.apis.reduce((n, a) => n + a.routes.length, 0),
  };
}

/**
 * [R1] `gatehouse backup FILE`: a consistent snapshot while the server keeps serving. PostgreSQL is
 * read directly; an embedded data directory is opened directly when no server holds it, and
 * otherwise fetched from the running server's `/operator/backup` with GATEHOUSE_BACKUP_TOKEN.
 * Written to FILE.partial, fsync'd, checked for its end marker, then renamed: FILE is whole or absent.
 */
export async function backupDatabase(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ rows: Record<string, number>; via: string }> {
  const { config } = loadConfig(env);
  const partial = `${file}.partial`;
  let via: string;
  try {
    via = await writeBackupTo(config, env, partial);
    fsyncFile(partial);
    const rows = await readTrailer(partial);
    renameDurably(partial, file); // the directory is fsync'd too: the new name survives a power cut
    return { rows, via };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

async function writeBackupTo(config: Config, env: NodeJS.ProcessEnv, file: string): Promise<string> {
  if (config.databaseUrl) {
    const db = createPgDb({ connectionString: config.databaseUrl, max: 2, timeoutMs: config.databaseTimeoutMs });
    try {
      await pipeline(backupStream(db, systemClock), fs.createWriteStream(file, { mode: 0o600 }));
      return 'postgres';
    } finally {
      await db.close();
    }
  }
  if (!fs.existsSync(path.join(config.dataDir, 'pgdata'))) throw new RestoreError(`no embedded database in ${path.resolve(config.dataDir)}`);
  let db: Db | null = null;
  try {
    db = await createPgliteDb(config.dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
  }
  if (db) {
    try {
      await pipeline(backupStream(db, systemClock), fs.createWriteStream(file, { mode: 0o600 }));
      return 'data directory';
    } finally {
      await db.close();
    }
  }
  // The data directory is held by a running server (PGlite is single-process): ask it.
  const base = (env.GATEHOUSE_URL || config.issuer).replace(/\/+$/, '');
  if (!config.backupToken) {
    throw new RestoreError('a server is running on this data directory: set GATEHOUSE_BACKUP_TOKEN (as on the server) to back up through it');
  }
  const res = await fetch(`${base}/operator/backup`, { headers: { authorization: `Bearer ${config.backupToken}` } });
  if (res.status !== 200 || !res.body) {
    throw new RestoreError(`${base}/operator/backup answered ${res.status}: is GATEHOUSE_BACKUP_TOKEN set to the same value on the server?`);
  }
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(file, { mode: 0o600 }));
  return base;
}

/** The end marker's row counts; a file without one is truncated. */
async function readTrailer(file: string): Promise<Record<string, number>> {
  let last = '';
  for await (const line of readline.createInterface({ input: fs.createReadStream(file).pipe(createGunzip()), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line) last = line;
  }
  const trailer = JSON.parse(last) as BackupTrailer;
  if (!trailer.end) throw new RestoreError('the backup came out truncated (no end marker)');
  return trailer.rows;
}

async function firstLine(file: string): Promise<string | undefined> {
  const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(createGunzip()), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return undefined;
}

/**
 * [R1] `gatehouse restore FILE`: into an empty PostgreSQL database (DATABASE_URL) or an empty data
 * directory. The master key is explicit: GATEHOUSE_MASTER_KEY, or `--master-key-file` (the old
 * data directory's master.key, installed into the new one). It is checked against the backup
 * before anything is created or written.
 */
export async function restoreDatabase(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { masterKeyFile?: string } = {},
): Promise<{ rows: Record<string, number> }> {
  const { config } = loadConfig(env);
  if (!fs.existsSync(file)) throw new RestoreError(`no such file: ${file}`);
  const keyText = options.masterKeyFile ? fs.readFileSync(options.masterKeyFile, 'utf8') : config.masterKey;
  if (!keyText) {
    throw new RestoreError(
      "a restore needs the backed-up server's master key: set GATEHOUSE_MASTER_KEY or pass --master-key-file (its data directory's master.key)",
    );
  }
  let master: MasterKey;
  try {
    master = MasterKey.fromString(keyText);
  } catch (err) {
    throw new RestoreError((err as Error).message);
  }
  checkHeader(await firstLine(file), master); // before any directory or row is created
  const db: Db = config.databaseUrl
    ? createPgDb({ connectionString: config.databaseUrl, max: 2, timeoutMs: config.databaseTimeoutMs })
    : await createPgliteDb(config.dataDir);
  try {
    await assertEmpty(db);
    // Embedded without GATEHOUSE_MASTER_KEY: the server will read master.key, so it must be this one.
    if (!config.databaseUrl && !config.masterKey) MasterKey.install(config.dataDir, keyText);
    return await restoreBackup(db, fs.createReadStream(file), master);
  } finally {
    await db.close();
  }
}

/**
 * [P5] `gatehouse users reset-password EMAIL`: without SMTP the operator makes a reset link (valid
 * 30 minutes, single use) and hands it over. Printed by the CLI, never logged. The server's own
 * PasswordService makes it, on the same database, with the same secret-hashing key.
 */
export async function resetPasswordLink(email: string, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; expiresAt: string }> {
  const { config } = loadConfig(env);
  const db: Db = config.databaseUrl ? createPgDb({ connectionString: config.databaseUrl, max: 2 }) : await createPgliteDb(config.dataDir);
  try {
    await migrate(db);
    const master = config.masterKey ? MasterKey.fromString(config.masterKey) : MasterKey.fromDataDir(config.dataDir);
    const hasher = new SecretHasher(await loadServerKey(db, master, systemClock, 'secret-hashing'));
    const audit = new AuditLog(db, systemClock);
    const passwords = new PasswordHasher();
    const sessions = new SessionService(db, systemClock, hasher, passwords, audit, config.rateLimits, {
      idleMinutes: config.sessionIdleMinutes,
      issuer: config.issuer,
    });
    const service = new PasswordService(db, systemClock, hasher, passwords, audit, sessions, { issuer: config.issuer, mailer: null });
    const { url, expiresAt } = await service.issueForOperator(email);
    return { url, expiresAt: expiresAt.toISOString() };
  } finally {
    await db.close();
  }
}
