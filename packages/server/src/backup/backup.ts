import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import type { Clock } from '../clock.js';
import type { Db, Queryable } from '../db/db.js';
import { BACKUP_FORMAT, KEY_CHECK_NAME, keyCheckContext, type BackupHeader, type BackupTrailer } from './format.js';
import { discoverTables, quoteIdent } from './tables.js';

/** Rows fetched per round trip from the backup's cursor. */
const FETCH_ROWS = 1_000;

/**
 * [R1] A consistent snapshot of the whole database as a gzip'd stream (format.ts), taken while the
 * server keeps serving. On PostgreSQL every table is read in one REPEATABLE READ, READ ONLY
 * transaction: one snapshot, no locks that block writers. PGlite has one connection, so its
 * transaction is consistent by construction and holds that connection while it reads (the read
 * does not wait on the consumer, so requests wait only as long as the tables take to read).
 * The stream errors (and never gets its trailer) if the read fails.
 */
export function backupStream(db: Db, clock: Clock): Gzip {
  const gzip = createGzip();
  const write = async (line: string): Promise<void> => {
    // Only PostgreSQL waits for a slow consumer: its snapshot holds no lock a writer needs.
    if (!gzip.write(`${line}\n`) && db.kind === 'postgres') await once(gzip, 'drain');
  };
  void db
    .transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await write(JSON.stringify(await header(tx, db.kind, clock)));
      const rows: Record<string, number> = {};
      for (const table of await discoverTables(tx)) rows[table.name] = await copyTable(tx, table.name, write);
      const trailer: BackupTrailer = { end: true, rows };
      await write(JSON.stringify(trailer));
    })
    .then(
      () => gzip.end(),
      (err: unknown) => gzip.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  return gzip;
}

async function header(tx: Queryable, driver: Db['kind'], clock: Clock): Promise<BackupHeader> {
  const schema = (await tx.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
  const [key] = await tx.query<{ ciphertext: string }>('SELECT ciphertext FROM server_keys WHERE name = $1', [KEY_CHECK_NAME]);
  return {
    gatehouse_backup: BACKUP_FORMAT,
    schema,
    createdAt: clock.now().toISOString(),
    driver,
    keyCheck: key ? { context: keyCheckContext(KEY_CHECK_NAME), ciphertext: key.ciphertext } : null,
  };
}

/** One table through a cursor, FETCH_ROWS at a time; rows are JSON from the database itself. */
async function copyTable(tx: Queryable, table: string, write: (line: string) => Promise<void>): Promise<number> {
  const name = JSON.stringify(table);
  await tx.query(`DECLARE gatehouse_backup NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quoteIdent(table)} t`);
  let count = 0;
  for (;;) {
    const batch = await tx.query<{ j: string }>(`FETCH ${FETCH_ROWS} FROM gatehouse_backup`);
    for (const row of batch) await write(`[${name},${row.j}]`);
    count += batch.length;
    if (batch.length < FETCH_ROWS) break;
  }
  await tx.query('CLOSE gatehouse_backup');
  return count;
}
