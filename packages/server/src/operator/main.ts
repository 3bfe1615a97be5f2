import { migrateDatabase, rotateSigningKey } from '../cli-entry.js';
import { ConfigError } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { PUBLISH_AHEAD_SECONDS } from '../tokens/signing-keys.js';

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
  if (command === 'migrate') {
    const applied = await migrateDatabase();
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
  } else {
    const { kid, signsFrom } = await rotateSigningKey();
    process.stdout.write(`rotated: ${kid} is published now and signs from ${signsFrom}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof DataDirLockedError;
    process.stderr.write(`gatehouse-operator: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  },
);
