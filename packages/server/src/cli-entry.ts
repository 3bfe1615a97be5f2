/**
 * What the `gatehouse` CLI (packages/cli) runs for its operator commands, `gatehouse serve` and
 * `gatehouse migrate`. Additive: `npm start` still runs main.ts, and `gatehouse serve` runs that
 * very module, so both start the server the same way (configuration, banner, signals).
 */
import { loadConfig } from './config.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { createPgDb } from './db/pg-driver.js';
import { createPgliteDb } from './db/pglite-driver.js';
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
export { DataDirLockedError } from './db/data-dir-lock.js';

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
