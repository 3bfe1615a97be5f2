import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { MasterKey } from '../crypto/master-key.js';
import type { Db, Queryable } from '../db/db.js';
import { migrate, migrationFiles } from '../db/migrate.js';
import { idFloorAt, idTime } from '../ids.js';
import { BACKUP_FORMAT, type BackupHeader, type BackupTrailer } from './format.js';
import { discoverSequences, discoverTables, quoteIdent } from './tables.js';

/** Rows per INSERT statement. */
const INSERT_ROWS = 500;

/**
 * Columns holding the source database's transaction ids (xid8): they mean nothing in the target,
 * whose own ids start low, so they are not restored and take their default, the restoring
 * transaction's id. Every restored audit event then sorts before every later one in the export
 * order (txid, id), instead of after them: an audit stream or an export cursor at a restored
 * position would otherwise see no new event until the target's ids caught up with the source's.
 */
const SOURCE_TXID_COLUMNS: Record<string, string> = { audit_events: 'txid', webhook_endpoints: 'stream_txid' };
/**
 * Restored events share one transaction id, so a stream resumes by event id alone: from a minute
 * before the last event it sent, since an event minted earlier may have committed later. At least
 * once: a stream may resend up to a minute of events after a restore, never skip one.
 */
const STREAM_REWIND_MS = 60_000;

/** A row as it is restored (see SOURCE_TXID_COLUMNS and STREAM_REWIND_MS). */
function restorable(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const column = SOURCE_TXID_COLUMNS[table];
  if (column === undefined || !(column in row)) return row;
  const { [column]: _sourceTxid, ...rest } = row;
  const sent = table === 'webhook_endpoints' && typeof rest.stream_event_id === 'string' ? rest.stream_event_id : '';
  const ms = idTime(sent);
  if (ms !== null) rest.stream_event_id = idFloorAt(sent.slice(0, sent.indexOf('_')), ms - STREAM_REWIND_MS);
  return rest;
}

/** A backup that cannot be restored here; the message says why, and nothing was written. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

/** The first line, checked: format, schema this build knows, and the master key (before any write). */
export function checkHeader(line: string | undefined, master: MasterKey): BackupHeader {
  let header: BackupHeader;
  try {
    header = JSON.parse(line ?? '') as BackupHeader;
  } catch {
    throw new RestoreError('not a Gatehouse backup (unreadable first line)');
  }
  if (header?.gatehouse_backup !== BACKUP_FORMAT || !Array.isArray(header.schema)) {
    throw new RestoreError(`not a Gatehouse backup of format ${BACKUP_FORMAT}`);
  }
  const known = migrationFiles();
  const unknown = header.schema.filter((v) => !known.includes(v));
  if (unknown.length || header.schema.some((v, i) => known[i] !== v)) {
    throw new RestoreError(`the backup's schema (${header.schema.at(-1)}) is not one this Gatehouse knows: restore it with the version that made it`);
  }
  if (header.keyCheck) {
    try {
      master.decrypt(header.keyCheck.ciphertext, header.keyCheck.context);
    } catch {
      throw new RestoreError('wrong master key: this backup was made under another GATEHOUSE_MASTER_KEY / master.key; nothing was restored');
    }
  }
  return header;
}

/**
 * Empty means never served: no server key and no user. `gatehouse migrate` alone leaves a database
 * empty; the first start of a server (which creates the hashing key and the first owner) does not.
 */
export async function assertEmpty(db: Db): Promise<void> {
  const [probe] = await db.query<{ users: string | null; keys: string | null }>(
    `SELECT to_regclass('users')::text AS users, to_regclass('server_keys')::text AS keys`,
  );
  if (!probe?.users || !probe.keys) return;
  const [row] = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM server_keys) AS n');
  if (Number(row?.n) > 0) {
    throw new RestoreError(
      'the target database is not empty (it has users or keys): restore only into an empty data directory or an empty PostgreSQL database/schema',
    );
  }
}

/**
 * [R1] Loads a backup (format.ts) into an empty database: migrations up to the backup's schema,
 * every row in one transaction (user triggers off, so the change feed's table is restored as it
 * was rather than refilled), sequences moved past the restored rows, then the newer migrations.
 * A wrong key, a non-empty target or a truncated file is refused; a failed load writes no row.
 */
export async function restoreBackup(db: Db, input: Readable, master: MasterKey): Promise<{ rows: Record<string, number> }> {
  const lines = readline.createInterface({ input: input.pipe(createGunzip()), crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  const first = await lines.next();
  const header = checkHeader(first.done ? undefined : first.value, master);
  await assertEmpty(db);
  const until = header.schema.at(-1);
  await migrate(db, until ? { until } : {});
  const rows = await db.transaction(
    async (tx) => {
      const tables = await discoverTables(tx);
      const columns = new Map(tables.map((t) => [t.name, new Set(t.columns)]));
      for (const t of tables) await tx.query(`ALTER TABLE ${quoteIdent(t.name)} DISABLE TRIGGER USER`);
      // Rows a migration seeded (readiness_probe) make way for the backup's own.
      if (tables.length) await tx.query(`TRUNCATE ${tables.map((t) => quoteIdent(t.name)).join(', ')}`);
      const counts: Record<string, number> = {};
      let trailer: BackupTrailer | null = null;
      let table = '';
      let batch: Array<Record<string, unknown>> = [];
      const flush = async () => {
        if (batch.length) await insert(tx, table, batch, columns.get(table)!);
        counts[table] = (counts[table] ?? 0) + batch.length;
        batch = [];
      };
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        const line = next.value;
        if (!line) continue;
        const parsed = JSON.parse(line) as [string, Record<string, unknown>] | BackupTrailer;
        if (!Array.isArray(parsed)) {
          trailer = parsed;
          break;
        }
        const [name, row] = parsed;
        if (!columns.has(name)) throw new RestoreError(`the backup has a table this schema lacks: ${name}`);
        if (name !== table || batch.length >= INSERT_ROWS) await flush();
        table = name;
        batch.push(restorable(name, row));
      }
      if (table) await flush();
      if (!trailer?.end) throw new RestoreError('the backup is truncated (no end marker): nothing was restored');
      for (const [name, n] of Object.entries(trailer.rows)) {
        if ((counts[name] ?? 0) !== n) throw new RestoreError(`the backup is inconsistent: ${name} has ${counts[name] ?? 0} rows, expected ${n}`);
      }
      for (const s of await discoverSequences(tx)) {
        await tx.query(`SELECT setval($1, COALESCE((SELECT max(${quoteIdent(s.column)}) FROM ${quoteIdent(s.table)}), 0) + 1, false)`, [s.sequence]);
      }
      for (const t of tables) await tx.query(`ALTER TABLE ${quoteIdent(t.name)} ENABLE TRIGGER USER`);
      return trailer.rows;
    },
    { unbounded: true },
  );
  await migrate(db);
  return { rows };
}

/** One batch through json_populate_recordset, so the database parses every type as it wrote it. */
async function insert(tx: Queryable, table: string, rows: Array<Record<string, unknown>>, known: Set<string>): Promise<void> {
  const cols = Object.keys(rows[0]!);
  const extra = cols.filter((c) => !known.has(c));
  if (extra.length) throw new RestoreError(`the backup has columns this schema lacks: ${table}.${extra.join(', ')}`);
  const list = cols.map(quoteIdent).join(', ');
  await tx.query(
    `INSERT INTO ${quoteIdent(table)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM json_populate_recordset(NULL::${quoteIdent(table)}, $1::text::json)`,
    [JSON.stringify(rows)],
  );
}
