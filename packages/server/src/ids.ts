import crypto from 'node:crypto';
import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

/**
 * ulid's default source asks the CSPRNG for one byte per character (16 calls per id); drawing
 * from a pooled buffer costs one call per 1,024 values. Still crypto.randomFillSync, still uniform.
 */
const pool = new Uint32Array(1024);
let next = pool.length;
const pooledRandom = (): number => {
  if (next === pool.length) {
    crypto.randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 0x1_0000_0000;
};

// Monotonic so that ids minted in the same millisecond still sort in creation order; cursor
// pagination and the audit log's order rely on it.
const ulid = monotonicFactory(pooledRandom);

/**
 * The factory is monotonic only within this process: after a restart with the wall clock behind,
 * new ids would sort before the ones already stored and cursor paging would skip them. So no id
 * is minted below the floor, which start-up raises past the newest stored id (db/id-floor.ts).
 */
let floorMs = 0;

/** Never mint an id whose time is below `ms` (only ever raises the floor). */
export const raiseIdFloor = (ms: number): void => {
  floorMs = Math.max(floorMs, ms);
};

export type IdPrefix = 'org' | 'usr' | 'svc' | 'sec' | 'rt' | 'evt' | 'key' | string;

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid(Math.max(Date.now(), floorMs))}`;

/** The millisecond a well-formed id was minted in, or null for anything else. */
export const idTime = (id: string): number | null => {
  const m = /^[a-z]{2,5}_([0-9A-HJKMNP-TV-Z]{26})$/.exec(id);
  return m ? decodeTime(m[1]!) : null;
};

/**
 * The lowest possible id of `prefix` minted in millisecond `ms`: below every real id of that
 * millisecond and later, above every earlier one (a keyset position, never stored as a row's id).
 */
export const idFloorAt = (prefix: IdPrefix, ms: number): string => `${prefix}_${encodeTime(Math.max(0, ms), 10)}${'0'.repeat(16)}`;

const ID_RE = /^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$/;
export const isId = (value: string, prefix: IdPrefix): boolean => value.startsWith(`${prefix}_`) && ID_RE.test(value);
