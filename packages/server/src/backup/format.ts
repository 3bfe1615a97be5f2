/**
 * [R1] The backup file: gzip'd JSON lines (README, "Backups").
 *
 *   line 1   {"gatehouse_backup":1,"schema":["001_init.sql",...],"createdAt":"...","driver":"pglite",
 *             "keyCheck":{"context":"server-key:secret-hashing","ciphertext":"v1...."}}
 *   then     ["<table>",{<row as row_to_json>}]       one per row, tables parents-first
 *   last     {"end":true,"rows":{"<table>":<count>,...}}   (a file without it is truncated: refused)
 *
 * Secrets in the rows are already keyed hashes or ciphertext under the master key, which the file
 * does not contain: `keyCheck` lets a restore refuse a wrong key before writing anything.
 */
export const BACKUP_FORMAT = 1;

export interface BackupHeader {
  gatehouse_backup: number;
  /** The migrations applied to the backed-up database, in order. */
  schema: string[];
  createdAt: string;
  driver: 'pglite' | 'postgres';
  keyCheck: { context: string; ciphertext: string } | null;
}

export interface BackupTrailer {
  end: true;
  rows: Record<string, number>;
}

/** The database's secret-hashing key, encrypted under the master key (crypto/server-keys.ts). */
export const KEY_CHECK_NAME = 'secret-hashing';
export const keyCheckContext = (name: string): string => `server-key:${name}`;
