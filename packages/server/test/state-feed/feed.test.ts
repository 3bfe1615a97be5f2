import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startListening } from '../support/listening.js';
import type { Harness } from '../support/harness.js';
import { openFeed } from './sse-client.js';

const CREDENTIAL = 'ghrs_test-credential-0123456789abcdefghijklmnop';
const OTHER = 'ghrs_other-credential-0123456789abcdefghijklmnop';

describe('state feed: GET /api/v1/state-feed', () => {
  let h: Harness & { url: string };
  let feedUrl: string;
  const auth = { authorization: `Bearer ${CREDENTIAL}` };
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `orders-api:${CREDENTIAL},billing:${OTHER}` });
    feedUrl = `${h.url}/api/v1/state-feed`;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a missing or wrong credential, and an organization service account token, with 401', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer ghrs_wrong-credential-0123456789abcdefghijk' },
      { authorization: `Bearer ${token}` },
      { authorization: `Basic ${Buffer.from(`x:${CREDENTIAL}`).toString('base64')}` },
    ]) {
      const res = await fetch(feedUrl, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
      expect((await res.json()).error).toBe('invalid_token');
    }
  });

  it('starts with a snapshot of every principal and the role table, without secrets', async () => {
    const { clientId } = await h.createServiceAccount(['audit-log:read', 'assets:read']);
    const viewer = await h.addUser('viewer');
    const feed = await openFeed(feedUrl, auth);
    try {
      expect(feed.res.status).toBe(200);
      expect(feed.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const snap = await feed.next((e) => e.event === 'snapshot');
      const accounts = snap.data.serviceAccounts as Array<Record<string, unknown>>;
      expect(accounts.find((a) => a.id === clientId)).toMatchObject({
        orgId: h.orgId,
        scopes: ['audit-log:read', 'assets:read'],
        disabled: false,
        expiresAt: null,
        tokenEpoch: expect.any(Number),
      });
      const users = snap.data.users as Array<Record<string, unknown>>;
      expect(users.find((u) => u.id === viewer.userId)).toMatchObject({ deactivated: false, roles: { [h.orgId]: 'viewer' } });
      expect((snap.data.roles as Record<string, string[]>).viewer).toContain('assets:read');
      expect((snap.data.roles as Record<string, string[]>).viewer).not.toContain('sbom.buckets:write');
      expect(JSON.stringify(snap.data)).not.toMatch(/hash|secret|password/i);
      expect(snap.id).toBe(snap.data.cursor);
    } finally {
      await feed.close();
    }
  });

  it('sends a disabled service account within one second, and heartbeats at the asked rate', async () => {
    const { clientId } = await h.createServiceAccount(['audit-log:read']);
    const feed = await openFeed(`${feedUrl}?heartbeatMs=100`, auth);
    try {
      await feed.next((e) => e.event === 'snapshot');
      const beats = await feed.next((e) => e.event === 'heartbeat');
      expect(beats.data.cursor).toBeTypeOf('string');
      const before = performance.now();
      expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}/disable`)).statusCode).toBe(200);
      const change = await feed.next((e) => e.event === 'change' && e.data.id === clientId && (e.data.state as { disabled: boolean }).disabled, 1000);
      expect(change.at - before).toBeLessThan(1000);
      expect(change.data).toMatchObject({ kind: 'service_account', state: { id: clientId, disabled: true } });
      const count = feed.events.filter((e) => e.event === 'heartbeat').length;
      await new Promise((r) => setTimeout(r, 550));
      expect(feed.events.filter((e) => e.event === 'heartbeat').length - count).toBeGreaterThanOrEqual(3);
    } finally {
      await feed.close();
    }
  });

  it('sends a role change and a removal from an organization', async () => {
    const member = await h.addUser('member');
    const feed = await openFeed(feedUrl, auth);
    try {
      await feed.next((e) => e.event === 'snapshot');
      await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${member.userId}`, { role: 'viewer' });
      // Server mode may announce a change twice (here, and again from the change log): each carries
      // the state read at the time, with a growing version; the newest state is what counts.
      const roleOf = (e: { data: Record<string, unknown> }) => (e.data.state as { roles: Record<string, string> }).roles[h.orgId];
      const demoted = await feed.next((e) => e.event === 'change' && e.data.id === member.userId && roleOf(e) === 'viewer');
      await h.owner.request('DELETE', `/console/api/orgs/${h.orgId}/members/${member.userId}`);
      const removed = await feed.next((e) => e.event === 'change' && e.data.id === member.userId && roleOf(e) === undefined);
      expect(removed.data.v as number).toBeGreaterThan(demoted.data.v as number);
      expect((removed.data.state as { roles: object }).roles).toEqual({});
    } finally {
      await feed.close();
    }
  });

  it('resumes after a cursor with only the changes since (Last-Event-ID), and an unknown cursor gets a snapshot', async () => {
    const { clientId } = await h.createServiceAccount(['audit-log:read']);
    const first = await openFeed(feedUrl, auth);
    const snap = await first.next((e) => e.event === 'snapshot');
    await first.close();
    await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${clientId}`, { scopes: ['assets:read'] });
    // The change reaches the feed asynchronously after the console call: let it be published.
    await new Promise((r) => setTimeout(r, 100));
    const resumed = await openFeed(feedUrl, { ...auth, 'last-event-id': snap.id! });
    try {
      const change = await resumed.next(
        (e) => e.event === 'change' && e.data.id === clientId && (e.data.state as { scopes: string[] }).scopes.join() === 'assets:read',
      );
      expect(change.data.state).toMatchObject({ scopes: ['assets:read'] });
      expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    } finally {
      await resumed.close();
    }
    for (const cursor of ['someone-else.3', `${String(snap.id).split('.')[0]}.999999999`, 'garbage']) {
      const other = await openFeed(`${feedUrl}?cursor=${encodeURIComponent(cursor)}`, { authorization: `Bearer ${OTHER}` });
      try {
        await other.next((e) => e.event === 'snapshot');
      } finally {
        await other.close();
      }
    }
  });

  it('closing the server ends open streams instead of hanging', async () => {
    const h2 = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `x:${CREDENTIAL}` });
    const feed = await openFeed(`${h2.url}/api/v1/state-feed`, auth);
    await feed.next((e) => e.event === 'snapshot');
    await h2.close();
    await feed.next(() => false, 2000).catch(() => {});
    expect(feed.ended).toBe(true);
  });
});

describe('GATEHOUSE_RESOURCE_SERVER_TOKENS', () => {
  it('parses name:credential pairs and refuses short credentials, bad names and duplicates', () => {
    expect(loadConfig({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `a:${CREDENTIAL}, b.2:${OTHER}` }).config.resourceServers).toEqual([
      { name: 'a', credential: CREDENTIAL },
      { name: 'b.2', credential: OTHER },
    ]);
    expect(loadConfig({}).config.resourceServers).toEqual([]);
    for (const bad of ['a:short', `:${CREDENTIAL}`, CREDENTIAL, `a b:${CREDENTIAL}`, `a:${CREDENTIAL},a:${OTHER}`]) {
      expect(() => loadConfig({ GATEHOUSE_RESOURCE_SERVER_TOKENS: bad })).toThrow(/GATEHOUSE_RESOURCE_SERVER_TOKENS/);
    }
  });
});
