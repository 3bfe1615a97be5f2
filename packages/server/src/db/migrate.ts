import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

// packages/server/migrations, from both src/db (tests) and dist/db (built server).
const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** An arbitrary constant: the advisory lock that serializes migrations across instances. */
const MIGRATION_LOCK = 7_201_733;

/** Every migration this build knows, in the order they apply. */
export function migrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort();
}

/**
 * Applies `migrations/NNN_name.sql` in order, each in its own transaction, recording each in
 * `schema_migrations`. Safe on every start and with several instances starting at once.
 */
export async function migrate(db: Db, options: { until?: string } = {}): Promise<string[]> {
  // [R1] A restore stops at the backup's own schema, loads the rows, then applies the rest.
  const files = migrationFiles().filter((f) => options.until === undefined || f <= options.until);
  const applied: string[] = [];
  await db.transaction(
    async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version));
      for (const file of files) {
        if (done.has(file)) continue;
        const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
        await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        applied.push(file);
      }
    },
    { unbounded: true },
  );
  return applied;
}
