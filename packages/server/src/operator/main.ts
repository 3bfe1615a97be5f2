import { ConfigError, loadConfig } from '../config.js';
import { systemClock } from '../clock.js';
import { MasterKey } from '../crypto/master-key.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import type { Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { createPgDb } from '../db/pg-driver.js';
import { createPgliteDb } from '../db/pglite-driver.js';
import { PUBLISH_AHEAD_SECONDS, SigningKeys } from '../tokens/signing-keys.js';

const USAGE = `usage: gatehouse-operator <command>

  migrate        apply pending database migrations and exit (safe while instances run)
  keys rotate    add a signing key: published at once, signing ${PUBLISH_AHEAD_SECONDS} s later
                 (every instance picks it up through the change feed); the current key
                 stays published until every token it signed has expired

Reads the same environment as the server (DATABASE_URL, GATEHOUSE_MASTER_KEY, GATEHOUSE_DATA_DIR).`;

/** Operator commands that run beside the servers, on the same database. */
async function main(argv: string[]): Promise<number> {
  const command = argv.join(' ');
  if (command === '' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === '' ? 2 : 0;
  }
  if (command !== 'migrate' && command !== 'keys rotate') {
    process.stderr.write(`gatehouse-operator: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const { config } = loadConfig();
  const db: Db = config.databaseUrl ? createPgDb({ connectionString: config.databaseUrl, max: 2 }) : await createPgliteDb(config.dataDir);
  try {
    const applied = await migrate(db);
    if (command === 'migrate') {
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
      return 0;
    }
    const master = config.masterKey ? MasterKey.fromString(config.masterKey) : MasterKey.fromDataDir(config.dataDir);
    const keys = new SigningKeys(db, master, systemClock);
    await keys.init();
    const kid = await keys.rotate();
    const at = new Date(Date.now() + PUBLISH_AHEAD_SECONDS * 1000).toISOString();
    process.stdout.write(`rotated: ${kid} is published now and signs from ${at}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  const known = err instanceof ConfigError || err instanceof DataDirLockedError;
  process.stderr.write(`gatehouse-operator: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
