import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue "Hardening" 11c: /readyz fails when writes hang, not only when the database is gone
 * (a `SELECT 1` still answers while every write waits). Holding the probe row's lock from a
 * second connection is the hanging write: PostgreSQL only.
 */
describe('/readyz probes with a bounded write', () => {
  let h: Harness;
  let raw: pg.Client;
  beforeAll(async () => {
    h = await startHarness();
    const [{ schema }] = (await h.gh.db.query<{ schema: string }>('SELECT current_schema() AS schema')) as [{ schema: string }];
    raw = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await raw.connect();
  }, 60_000);
  afterAll(async () => {
    await raw?.end();
    await h?.close();
  });

  const readyz = async () => {
    const started = performance.now();
    const res = await h.gh.app.inject({ method: 'GET', url: '/readyz' });
    return { status: res.statusCode, body: res.json() as Record<string, string>, ms: performance.now() - started };
  };

  it('answers 503 within its bound while writes hang, although reads work, and 200 once they do not', async () => {
    expect((await readyz()).status).toBe(200);
    await raw.query('BEGIN');
    await raw.query('LOCK TABLE readiness_probe IN EXCLUSIVE MODE'); // reads pass, writes wait
    try {
      expect(await h.gh.db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const hung = await readyz();
      expect(hung.status).toBe(503);
      expect(hung.body).toEqual({ error: 'temporarily_unavailable', error_description: 'the database does not accept writes' });
      expect(hung.ms).toBeLessThan(3_000);
    } finally {
      await raw.query('ROLLBACK');
    }
    expect((await readyz()).status).toBe(200);
  });
});
