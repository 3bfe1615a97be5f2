import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cuttable } from '../support/cuttable-db.js';
import { startHarness, type Harness } from '../support/harness.js';
import { openFeed } from './sse-client.js';

const CREDENTIAL = 'ghrs_fail-closed-credential-0123456789abcdef';

/**
 * Heartbeats mean "everything committed is on its way". They stop while a change cannot be read
 * (the database is gone) or while this instance's own state may be stale, so that verifiers fail
 * closed; they resume, and the change arrives, once it can be read again.
 */
describe('state feed heartbeats fail closed', () => {
  let h: Harness;
  let db: ReturnType<typeof cuttable>;
  let url: string;
  beforeAll(async () => {
    h = await startHarness({ wrapDb: (raw) => (db = cuttable(raw)), env: { GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` } });
    await h.gh.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.gh.app.server.address() as AddressInfo).port}/api/v1/state-feed?heartbeatMs=100`;
  });
  afterAll(async () => {
    db?.restore();
    await h?.close();
  });

  const beatsBetween = (events: Array<{ event: string; at: number }>, from: number, to: number) =>
    events.filter((e) => e.event === 'heartbeat' && e.at >= from && e.at < to).length;

  it('stop while a committed change cannot be read from the database, and resume with it', async () => {
    const { clientId } = await h.createServiceAccount(['audit-log:read']);
    const feed = await openFeed(url, { authorization: `Bearer ${CREDENTIAL}` });
    try {
      await feed.next((e) => e.event === 'heartbeat');
      db.cut();
      const cutAt = performance.now();
      h.gh.services.states.invalidate(clientId); // a change committed just before the database went away
      await new Promise((r) => setTimeout(r, 2000));
      // Up to a second of grace (maxPendingMs), then silence (with room for a late delivery).
      expect(beatsBetween(feed.events, cutAt + 1400, cutAt + 2000)).toBe(0);
      db.restore();
      const change = await feed.next((e) => e.event === 'change' && e.data.id === clientId, 2000);
      expect(change.data.state).toMatchObject({ id: clientId, disabled: false });
      await feed.next((e) => e.event === 'heartbeat' && e.at > change.at, 1000);
    } finally {
      db.restore();
      await feed.close();
    }
  });

  it("stop while this instance's own principal state may be stale (server mode), and resume after", async () => {
    const feed = await openFeed(url, { authorization: `Bearer ${CREDENTIAL}` });
    const states = h.gh.services.states;
    try {
      await feed.next((e) => e.event === 'heartbeat');
      states.freshness = () => {
        throw new Error('stale');
      };
      const at = performance.now();
      await new Promise((r) => setTimeout(r, 800));
      expect(beatsBetween(feed.events, at + 300, at + 800)).toBe(0);
      states.freshness = null;
      await feed.next((e) => e.event === 'heartbeat' && e.at > at + 800, 1000);
    } finally {
      states.freshness = null;
      await feed.close();
    }
  });

  it('a snapshot that cannot be read ends the connection (the verifier retries)', async () => {
    db.cut();
    try {
      const feed = await openFeed(url, { authorization: `Bearer ${CREDENTIAL}` });
      await feed.next(() => false, 2000).catch(() => {});
      expect(feed.ended).toBe(true);
      expect(feed.events).toEqual([]);
    } finally {
      db.restore();
    }
  });
});
