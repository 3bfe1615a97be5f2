import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_PLAN } from '../../src/db/db.js';
import { PLAN_CACHE_MODE, PreparedStatements } from '../../src/db/pglite-prepared.js';

/** The PGlite worker's named prepared statements (db/pglite-prepared.ts) answer as PGlite.query does. */
describe('PGlite prepared statements', () => {
  let lite: PGlite;
  let ps: PreparedStatements;
  const mode = async () => (await lite.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]!.plan_cache_mode;

  beforeAll(async () => {
    lite = await PGlite.create();
    await lite.exec(PLAN_CACHE_MODE);
    await lite.exec('CREATE TABLE t (id text PRIMARY KEY, at timestamptz, doc jsonb, raw bytea, n int)');
    ps = new PreparedStatements(lite);
  });
  afterAll(async () => {
    await lite?.close();
  });

  it('serializes values and parses rows as PGlite.query does, on first and later calls', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const insert = 'INSERT INTO t (id, at, doc, raw, n) VALUES ($1, $2, $3, $4, $5) RETURNING *';
    const first = await ps.query(insert, ['a', at, JSON.stringify({ k: [1, 'x'] }), Buffer.from([1, 2, 255]), 7], null);
    const second = await ps.query(insert, ['b', null, null, null, null], null);
    expect(first.rows).toEqual((await lite.query('SELECT * FROM t WHERE id = $1', ['a'])).rows);
    expect(first.rows[0]).toMatchObject({ id: 'a', at, doc: { k: [1, 'x'] }, n: 7 });
    expect(second.rows).toEqual([{ id: 'b', at: null, doc: null, raw: null, n: null }]);
    expect(first.affectedRows).toBe(1);
  });

  it('throws PostgreSQL errors with their code and the query, caches nothing that failed to parse, and keeps working', async () => {
    const err = await ps.query('INSERT INTO t (id) VALUES ($1)', ['a'], null).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', query: 'INSERT INTO t (id) VALUES ($1)' });
    for (let i = 0; i < 2; i++) await expect(ps.query('SELEKT 1', [], null)).rejects.toMatchObject({ code: '42601' });
    expect((await ps.query('SELECT count(*)::int AS n FROM t', [], null)).rows).toEqual([{ n: 2 }]);
  });

  it('plans a GENERIC_PLAN statement once outside transactions, and every other statement per call, even after failures and rollbacks', async () => {
    const sql = `${GENERIC_PLAN}SELECT id FROM t WHERE id > $1 ORDER BY id`;
    const planned = async (tx: object | null = null) => (await ps.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', [], tx)).rows[0]!.plan_cache_mode;
    for (let i = 0; i < 3; i++) expect((await ps.query(sql, [''], null)).rows).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await mode()).toBe('force_generic_plan'); // left so until another statement comes
    expect(await planned()).toBe('force_custom_plan');
    await expect(ps.query(`${GENERIC_PLAN}SELECT 1 / $1::int AS x`, [0], null)).rejects.toMatchObject({ code: '22012' });
    expect(await planned()).toBe('force_custom_plan');
    // Inside a transaction a marked statement runs as any other; a rollback undoes the SET made there.
    await ps.query(sql, [''], null);
    for (const outcome of ['rollback', 'rollback', 'commit'] as const) {
      const tx = {};
      await lite
        .transaction(async () => {
          expect((await ps.query(sql, ['a'], tx)).rows).toEqual([{ id: 'b' }]);
          expect(await planned(tx)).toBe('force_custom_plan');
          if (outcome === 'rollback') throw new Error('roll back');
        })
        .catch(() => {});
    }
    expect(await planned()).toBe('force_custom_plan');
    await ps.query(sql, [''], null);
    await lite.transaction(() => Promise.reject(new Error('roll back'))).catch(() => {});
    expect(await planned()).toBe('force_custom_plan');
  });

  it('after a script changed a table (forgetAll), a statement answers with the new columns', async () => {
    const sql = 'SELECT * FROM t WHERE id = $1';
    expect(Object.keys((await ps.query<object>(sql, ['a'], null)).rows[0]!)).not.toContain('extra');
    await lite.exec('ALTER TABLE t ADD COLUMN extra text');
    ps.forgetAll();
    expect((await ps.query(sql, ['a'], null)).rows[0]).toMatchObject({ id: 'a', extra: null });
  });

  it('closes the least recently used statements beyond its capacity and prepares them again when needed', async () => {
    for (let i = 0; i < 300; i++) expect((await ps.query(`SELECT $1::int + ${i} AS v`, [1], null)).rows).toEqual([{ v: 1 + i }]);
    const named = await lite.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
    expect(named.rows[0]!.n).toBeLessThanOrEqual(257);
    expect((await ps.query('SELECT $1::int + 0 AS v', [41], null)).rows).toEqual([{ v: 41 }]);
  });
});
