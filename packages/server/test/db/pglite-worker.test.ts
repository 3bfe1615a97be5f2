import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, isDataException, isUniqueViolation } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';
import { startHarness, type Harness } from '../support/harness.js';

/** Everything a caller can observe of a value: its class, and its content. */
const shape = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object') return [typeof v, v];
  if (Array.isArray(v)) return ['Array', v.map(shape)];
  const kind = v.constructor?.name ?? 'null-prototype';
  if (v instanceof Date) return [kind, v.toISOString()];
  if (v instanceof Uint8Array) return [kind, [...v]];
  return [kind, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))];
};

const errorOf = async (p: Promise<unknown>) => {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as (Error & Record<string, unknown>) | null;
  if (!err) throw new Error('expected the call to fail');
  return err;
};

/** What callers read from a database error; PGlite's `params` stays in the worker on purpose (it may hold secret hashes). */
const errorView = (e: Error & Record<string, unknown>) => {
  const { params: _p, queryOptions: _o, ...own } = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
  return { message: e.message, name: e.name, ...own };
};

/**
 * [issue 16.1] PGlite runs in a worker thread by default; through it, every value and error a store
 * sees must be what the in-thread driver (GATEHOUSE_PGLITE_THREAD=main, the old default) gives.
 */
describe('the embedded database in its worker thread', () => {
  let worker: Db;
  let inThread: Db;
  beforeAll(async () => {
    [worker, inThread] = await Promise.all([createPgliteDb(), createPgliteDb(undefined, { thread: 'main' })]);
    const ddl = `CREATE TABLE t (id int PRIMARY KEY, b bytea, at timestamptz, j jsonb, n bigint, x text, tags text[], ok boolean, f double precision);
                 CREATE TABLE u (name text UNIQUE)`;
    await Promise.all([worker.exec(ddl), inThread.exec(ddl)]);
  });
  afterAll(async () => {
    await Promise.all([worker?.close(), inThread?.close()]);
  });

  it('the default is the worker thread', () => {
    expect('terminateWorker' in worker).toBe(true);
    expect('terminateWorker' in inThread).toBe(false);
  });

  it('answers rows of every type the stores use exactly as the in-thread driver does (bytea, dates, json, bigint, arrays, null)', async () => {
    const at = new Date('2026-06-01T12:34:56.789Z');
    const insert = `INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;
    const params = [
      1,
      Buffer.from([0, 1, 254, 255]),
      at,
      JSON.stringify({ a: [1, 'two'], b: null }),
      9007199254740991n,
      Buffer.from('text from a Buffer'),
      ['x', 'y'],
      true,
      1.5,
    ];
    for (const db of [worker, inThread]) await db.query(insert, params);
    const select = 'SELECT *, b = $1 AS same_bytes, now() IS NOT NULL AS has_now FROM t ORDER BY id';
    const [viaWorker, viaThread] = await Promise.all([
      worker.query(select, [Buffer.from([0, 1, 254, 255])]),
      inThread.query(select, [Buffer.from([0, 1, 254, 255])]),
    ]);
    expect(shape(viaWorker)).toEqual(shape(viaThread));
    const row = viaWorker[0] as Record<string, unknown>;
    expect(row.same_bytes).toBe(true);
    expect([...(row.b as Uint8Array)]).toEqual([0, 1, 254, 255]);
    expect(row.at).toEqual(at);
    // A Buffer parameter into a text column is its UTF-8 text, not "116,101,…".
    expect(row.x).toBe('text from a Buffer');
  });

  it('a unique violation keeps its SQLSTATE and every field a caller reads', async () => {
    for (const db of [worker, inThread]) await db.query(`INSERT INTO u VALUES ('taken')`);
    const [w, t] = await Promise.all([worker, inThread].map((db) => errorOf(db.query(`INSERT INTO u VALUES ($1)`, ['taken']))));
    expect(isUniqueViolation(w)).toBe(true);
    expect(w!.code).toBe('23505');
    expect(w!.constraint).toBe('u_name_key');
    expect(errorView(w!)).toEqual(errorView(t!));
  });

  it('a data exception (a NUL byte in text) keeps its class-22 code', async () => {
    const [w, t] = await Promise.all([worker, inThread].map((db) => errorOf(db.query('SELECT $1::text AS v', ['a\u0000b']))));
    expect(isDataException(w)).toBe(true);
    expect(errorView(w!)).toEqual(errorView(t!));
  });

  it('a transaction commits or rolls back as a unit, and no other call runs inside it', async () => {
    const committed = await worker.transaction(async (tx) => {
      await tx.query(`INSERT INTO u VALUES ('in-tx')`);
      // Issued while the transaction is open: it must wait for the commit, never see half of it.
      const outside = worker.query<{ n: number }>(`SELECT count(*)::int AS n FROM u WHERE name IN ('in-tx', 'in-tx-2')`);
      await tx.query(`INSERT INTO u VALUES ('in-tx-2')`);
      const inside = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM u WHERE name IN ('in-tx', 'in-tx-2')`);
      return { inside: inside[0]!.n, outside };
    });
    expect(committed.inside).toBe(2);
    expect((await committed.outside)[0]!.n).toBe(2);

    const err = await errorOf(
      worker.transaction(async (tx) => {
        await tx.query(`INSERT INTO u VALUES ('rolled-back')`);
        await tx.query(`INSERT INTO u VALUES ('taken')`);
      }),
    );
    expect(isUniqueViolation(err)).toBe(true);
    expect(await worker.query(`SELECT name FROM u WHERE name = 'rolled-back'`)).toEqual([]);

    await expect(
      worker.transaction(async (tx) => {
        await tx.query(`INSERT INTO u VALUES ('thrown')`);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    expect(await worker.query(`SELECT name FROM u WHERE name = 'thrown'`)).toEqual([]);
  });

  it('many calls in one turn are all answered, each with its own rows, in the order they were made', async () => {
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => worker.query<{ v: number }>('SELECT $1::int AS v', [i])));
    expect(answers.map((rows) => rows[0]!.v)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('the first calls of a long batch are answered while the worker still runs the rest', async () => {
    // 20 calls of 10 ms each arrive in one message and run in one turn of the worker. Answered all
    // at once, the first caller would wait ~200 ms for the last; the worker sends its replies as it
    // goes (every 0.5 ms at least), so the first answers arrive ~10 ms in.
    const started = performance.now();
    const answeredAt = await Promise.all(
      Array.from({ length: 20 }, (_, i) => worker.query('SELECT pg_sleep(0.01), $1::int AS i', [i]).then(() => performance.now() - started)),
    );
    const last = Math.max(...answeredAt);
    expect(last).toBeGreaterThan(150);
    expect(answeredAt[0]).toBeLessThan(last / 2);
  });
});

describe('a data exception through the worker, over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is a 400 invalid_request in the §10 shape and stores nothing', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read', 'governance.findings:write']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const list = async () => (await h.api('GET', '/api/v1/governance/findings?limit=200', token)).json().items.length as number;
    const before = await list();
    // Valid JSON and within the schema; only PostgreSQL refuses \u0000 in jsonb (SQLSTATE 22P05).
    const res = await h.api('POST', '/api/v1/governance/findings', token, { title: 'a\u0000b' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    expect(await list()).toBe(before);
  });
});

/**
 * The test suite's databases start as copies of one initialized database (support/pglite-template.ts)
 * instead of running initdb each: the copy must be what opens, on either thread, and only in memory.
 */
describe('an in-memory database started from a template', () => {
  it('holds what the template held, on the worker thread and on the request thread; a data directory refuses one', async () => {
    const source = await PGlite.create();
    await source.exec("CREATE TABLE marker (v text); INSERT INTO marker VALUES ('from the template')");
    const template = new Uint8Array(await (await source.dumpDataDir('none')).arrayBuffer());
    await source.close();
    for (const thread of ['worker', 'main'] as const) {
      const db = await createPgliteDb(undefined, { template, thread });
      try {
        expect(await db.query('SELECT v FROM marker')).toEqual([{ v: 'from the template' }]);
      } finally {
        await db.close();
      }
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-template-'));
    try {
      await expect(createPgliteDb(dir, { template })).rejects.toThrow('a template is for in-memory databases only');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
