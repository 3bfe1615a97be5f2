import { idTime, raiseIdFloor } from '../ids.js';
import type { Queryable } from './db.js';

/**
 * Where ULID ids are stored and paged by. Each of these tables holds one prefix, so max(id) is the
 * newest and a backward scan of its primary key. `records` holds one prefix per resource, so its
 * newest is found by the ULID part alone (a scan; it holds the demo's reference data).
 */
const SINGLE_PREFIX = [
  ['audit_events', 'id'],
  ['users', 'id'],
  ['organizations', 'id'],
  ['service_accounts', 'id'],
  ['service_account_secrets', 'id'],
  ['refresh_tokens', 'id'],
  ['signing_keys', 'kid'],
  ['invitations', 'id'],
] as const;

/**
 * Raises the id generator's floor one millisecond past the newest stored id, so that ids minted
 * after a restart with the wall clock behind still sort after every existing one (cursor order).
 * Run once at start, after the migrations.
 */
export async function seedIdFloor(db: Queryable): Promise<void> {
  const selects = [
    ...SINGLE_PREFIX.map(([table, column]) => `SELECT max(${column}) AS id FROM ${table}`),
    "SELECT 'rec_' || max(right(id, 26)) AS id FROM records",
  ];
  const rows = await db.query<{ id: string | null }>(selects.join(' UNION ALL '));
  const newest = Math.max(0, ...rows.map((r) => (r.id ? (idTime(r.id) ?? 0) : 0)));
  if (newest > 0) raiseIdFloor(newest + 1);
}
