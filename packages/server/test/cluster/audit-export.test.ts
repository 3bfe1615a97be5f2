import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue "Hardening" 11b: audit ids (ULIDs) are minted before commit, so commit order is not id
 * order. A SIEM paging /api/v1/audit-events by cursor must never skip an event that commits after
 * the cursor has moved past later ones. (A held transaction needs a second connection: PostgreSQL
 * only; PGlite runs the same export SQL in every other audit test.)
 */
describe('the audit export cursor never skips a committed event', () => {
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

  it('an event with a low id committed after later events appears when paging on from the last cursor', async () => {
    const reader = await h.createServiceAccount(['audit-log:read']);
    const bearer = await h.accessToken(reader.clientId, reader.clientSecret);
    const exportPage = async (cursor: string | null) => {
      const res = await h.api('GET', `/api/v1/audit-events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, bearer);
      expect(res.statusCode).toBe(200);
      return res.json() as { items: Array<{ id: string; action: string }>; nextCursor: string | null };
    };
    const seen: string[] = [];
    /** Pages to the end from `cursor`; returns the last cursor handed out (where a SIEM resumes). */
    const pageToEnd = async (cursor: string | null) => {
      for (;;) {
        const page = await exportPage(cursor);
        seen.push(...page.items.map((e) => e.id));
        if (!page.nextCursor) return cursor;
        cursor = page.nextCursor;
      }
    };

    // Another instance's transaction wrote an audit row with a low id and has not committed yet.
    const heldId = newId('evt');
    await raw.query('BEGIN');
    await raw.query(
      `INSERT INTO audit_events (id, org_id, occurred_at, actor_type, action, outcome) VALUES ($1, $2, now(), 'system', 'test.held', 'success')`,
      [heldId, h.orgId],
    );
    // Later events (higher ids) commit meanwhile: grants, each audited.
    for (let i = 0; i < 7; i++) await h.accessToken(reader.clientId, reader.clientSecret);
    let cursor = await pageToEnd(null);
    expect(seen).not.toContain(heldId);

    await raw.query('COMMIT');
    cursor = await pageToEnd(cursor);
    expect(seen).toContain(heldId);
    // Nothing committed was skipped: the export saw every event of the organization.
    const all = (await h.gh.db.query<{ id: string }>('SELECT id FROM audit_events WHERE org_id = $1', [h.orgId])).map((r) => r.id);
    expect(new Set(seen)).toEqual(new Set(all));
  });
});
