import { afterEach, describe, expect, it } from 'vitest';
import { AuditRetention } from '../../src/audit/retention.js';
import { loadConfig } from '../../src/config.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** ManualClock.advance takes seconds. */
const DAY = 86_400;

/** The organization's audit log as the owner reads it in the console (every page). */
async function auditIds(harness: Harness): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  // A fresh session: the clock moves by months between reads, past any session's lifetime.
  const owner = await harness.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  for (;;) {
    const res = await owner.request('GET', `/console/api/orgs/${harness.orgId}/audit-events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: Array<{ id: string }>; nextCursor?: string | null };
    ids.push(...body.items.map((e) => e.id));
    if (!body.nextCursor) return ids;
    cursor = encodeURIComponent(body.nextCursor);
  }
}

describe('[R2] audit retention', { timeout: 120_000 }, () => {
  it('prunes events older than GATEHOUSE_AUDIT_RETENTION_DAYS on the injected clock, in bounded batches, keeping recent ones', async () => {
    h = await startHarness();
    // Old events: service accounts and grants made now...
    const sa = await h.createServiceAccount(['governance.controls:read']);
    for (let i = 0; i < 7; i++) await h.accessToken(sa.clientId, sa.clientSecret);
    await h.gh.services.audit.drain();
    const old = await auditIds(h);
    expect(old.length).toBeGreaterThan(7);
    // ...recent ones 300 days later...
    h.clock.advance(300 * DAY);
    for (let i = 0; i < 4; i++) await h.accessToken(sa.clientId, sa.clientSecret);
    await h.gh.services.audit.drain();
    const recent = (await auditIds(h)).filter((id) => !old.includes(id));
    expect(recent.length).toBeGreaterThanOrEqual(4);
    // ...and 150 days on, the first are 450 days old, the others 150.
    h.clock.advance(150 * DAY);

    const retention = new AuditRetention(h.gh.db, h.clock, { days: 400, batchSize: 3, pauseMs: 0 });
    const batches = await retention.prune();
    expect(batches.every((n) => n <= 3)).toBe(true);
    expect(batches.length).toBeGreaterThan(2);
    // Every old event of the organization is gone (others, of no organization, went too).
    const left = await auditIds(h);
    expect(left.filter((id) => old.includes(id))).toEqual([]);
    expect(left).toEqual(expect.arrayContaining(recent));
    expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(old.length);
    // The daily grant counts go with the events they were counted from: 450 days old gone, 150 kept.
    const counts = await h.gh.db.query<{ grants: number }>('SELECT grants FROM service_account_grant_days WHERE service_account_id = $1 ORDER BY day', [
      sa.clientId,
    ]);
    expect(counts.map((c) => c.grants)).toEqual([4]);
    // A second pass finds nothing more.
    expect(await retention.prune()).toEqual([0]);
  });

  it('is configured by GATEHOUSE_AUDIT_RETENTION_DAYS (default 400, 0 keeps everything)', async () => {
    expect(loadConfig({}).config.auditRetentionDays).toBe(400);
    expect(loadConfig({ GATEHOUSE_AUDIT_RETENTION_DAYS: '30' }).config.auditRetentionDays).toBe(30);
    expect(() => loadConfig({ GATEHOUSE_AUDIT_RETENTION_DAYS: '-1' })).toThrow(/GATEHOUSE_AUDIT_RETENTION_DAYS/);
    h = await startHarness();
    h.clock.advance(5000 * DAY);
    expect(await new AuditRetention(h.gh.db, h.clock, { days: 0 }).prune()).toEqual([]);
    expect((await auditIds(h)).length).toBeGreaterThan(0);
  });
});
