import type { Queryable } from '../db/db.js';

/** A table of this schema as the backup sees it: read from the catalog, never a hand list that rots. */
export interface TableInfo {
  name: string;
  /** Stored (non-generated) columns, in table order. */
  columns: string[];
}

/** The migrations' own bookkeeping: restore rebuilds it by running the migrations. */
const SKIPPED = new Set(['schema_migrations']);

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * [R1] Every table of the current schema, parents before children (foreign keys), so that a
 * restore can insert them in this order. New tables from later migrations are included by
 * construction. A cycle (none today) falls back to name order for the tables in it.
 */
export async function discoverTables(q: Queryable): Promise<TableInfo[]> {
  const rows = await q.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname, a.attnum`,
  );
  const columns = new Map<string, string[]>();
  for (const r of rows) {
    if (SKIPPED.has(r.table)) continue;
    const list = columns.get(r.table) ?? [];
    list.push(r.column);
    columns.set(r.table, list);
  }
  const edges = await q.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint k
       JOIN pg_class ch ON ch.oid = k.conrelid
       JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND ch.relname <> pa.relname`,
  );
  const parents = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!columns.has(e.child) || !columns.has(e.parent)) continue;
    const set = parents.get(e.child) ?? new Set<string>();
    set.add(e.parent);
    parents.set(e.child, set);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  let remaining = [...columns.keys()].sort();
  while (remaining.length) {
    const ready = remaining.filter((t) => [...(parents.get(t) ?? [])].every((p) => placed.has(p)));
    const next = ready.length ? ready : remaining; // a cycle: keep going in name order
    for (const t of next) {
      ordered.push(t);
      placed.add(t);
    }
    remaining = remaining.filter((t) => !placed.has(t));
  }
  return ordered.map((name) => ({ name, columns: columns.get(name)! }));
}

/** Serial and identity columns' sequences, so that a restore can move them past the restored rows. */
export async function discoverSequences(q: Queryable): Promise<Array<{ table: string; column: string; sequence: string }>> {
  return q.query(
    `SELECT table_name AS table, column_name AS column, seq AS sequence FROM (
       SELECT c.relname AS table_name, a.attname AS column_name,
              pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS seq
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')) s
     WHERE seq IS NOT NULL`,
  );
}
