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
