/**
 * What the `gatehouse` CLI (packages/cli) runs for its operator commands, `gatehouse serve` and
 * `gatehouse migrate`. Additive: `npm start` still runs main.ts, and `gatehouse serve` runs that
 * very module, so both start the server the same way (configuration, banner, signals).
 */
import { loadCatalogueFile } from './catalogue/load.js';
import { loadConfig } from './config.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { createPgDb } from './db/pg-driver.js';
import { createPgliteDb } from './db/pglite-driver.js';
import { systemClock } from './clock.js';
import { MasterKey } from './crypto/master-key.js';
import { PUBLISH_AHEAD_SECONDS, SigningKeys } from './tokens/signing-keys.js';

export { ConfigError } from './config.js';
export { CatalogueError } from './catalogue/load.js';
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
