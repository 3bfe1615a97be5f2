import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, streamEvents, verify } from '../webhooks/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
interface LoggedBatch {
  id: string;
  eventType: string;
  eventCount: number;
  eventTypes: string[];
  status: string;
  attempts: number;
  lastAttempt: { statusCode: number | null } | null;
}

/**
 * [E4] An audit stream keeps up with a busy organization: its events travel in batches of up to
 * 100 per signed Standard Webhooks message, in order, and a batch is retried whole [E3]. The
 * background worker is stopped while events pile up, so that the test decides when a pass runs.
 */
describe('audit streams deliver in batches', () => {
  let h: Harness;
  let rx: Receiver;
  let start: Date;
  const base = () => `/console/api/orgs/${h.orgId}/audit-streams`;
  const worker = () => h.gh.services.deliveries;

  const createStream = async () => {
    const res = await h.owner.request('POST', base(), { url: rx.url });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string };
  };
  /** Every audit event of the organization from the stream's own creation on, in the audit log's export order. */
  const streamedSince = async (streamId: string) =>
    (
      await h.gh.db.query<{ id: string }>(
        `SELECT id FROM audit_events WHERE org_id = $1
            AND (txid, id) >= (SELECT txid, id FROM audit_events WHERE action = 'audit_stream.create' AND target_id = $2) ORDER BY txid, id`,
        [h.orgId, streamId],
      )
    ).map((r) => r.id);
  const logOf = async (id: string) => (await h.owner.request('GET', `${base()}/${id}/deliveries`)).json().items as LoggedBatch[];

  beforeAll(async () => {
    h = await startHarness({
      // Hundreds of grants from one client on the stopped clock: the grant limits must not answer 429 first.
      env: {
        GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000000/1000000',
        GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000000/1000000',
      },
    });
    start = h.clock.now();
  });
  afterEach(async () => {
    worker().start();
    h.clock.set(start);
    await h.gh.db.query("DELETE FROM webhook_endpoints WHERE kind = 'audit_stream'");
    await rx?.close();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('250 token grants reach the receiver in order, verified, in at most 3 messages over one connection', async () => {
    rx = await startReceiver();
    await worker().stop();
    const stream = await createStream();
    const sa = await h.createServiceAccount(['audit-log:read']);
    for (let i = 0; i < 250; i++) await h.accessToken(sa.clientId, sa.clientSecret);

    await worker().tick();
    expect(rx.received.length).toBeGreaterThan(0);
    expect(rx.received.length).toBeLessThanOrEqual(3);
    // Every message verifies with standardwebhooks, has its own webhook-id, and is a batch.
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(rx.received.length);
    const events = streamEvents(stream.secret, rx.received, h.clock.now());
    expect(events.filter((e) => e.type === 'audit.token.grant')).toHaveLength(250);
    // All of them, once each, in the audit log's order.
    expect(events.map((e) => e.data.eventId)).toEqual(await streamedSince(stream.id));
    expect(events[0]).toMatchObject({ type: 'audit.audit_stream.create', data: { action: 'audit_stream.create', orgId: h.orgId } });
    // Keep-alive: one connection, pinned to the checked address, carried every message.
    expect(new Set(rx.received.map((r) => r.remotePort)).size).toBe(1);

    // The delivery log: one entry per message, delivered, naming its events' count and types.
    const log = await logOf(stream.id);
    expect(log.map((d) => d.id).sort()).toEqual(rx.received.map((r) => r.headers['webhook-id']).sort());
    expect(log.every((d) => d.eventType === 'audit.events' && d.status === 'delivered' && d.attempts === 1)).toBe(true);
    expect(log.reduce((n, d) => n + d.eventCount, 0)).toBe(events.length);
    expect(log.flatMap((d) => d.eventTypes)).toContain('audit.token.grant');

    // Deleting the stream closes its connection rather than leaving it open.
    expect(await rx.connections()).toBe(1);
    expect((await h.owner.request('DELETE', `${base()}/${stream.id}`)).statusCode).toBe(204);
    await worker().tick();
    await expect.poll(() => rx.connections()).toBe(0);
  });

  it('[E3] a batch answered 500 is retried whole on the moved clock, then delivered once; later events follow it', async () => {
    rx = await startReceiver();
    await worker().stop();
    const stream = await createStream();
    const sa = await h.createServiceAccount(['audit-log:read']);
    for (let i = 0; i < 3; i++) await h.accessToken(sa.clientId, sa.clientSecret);
    rx.statuses.push(500);
    await worker().tick();
    expect(rx.received).toHaveLength(1);
    const first = rx.received[0]!;

    // Events committed while the batch waits for its retry wait with it, in their own next batch.
    await h.accessToken(sa.clientId, sa.clientSecret);
    h.clock.advance(4);
    await worker().tick();
    expect(rx.received).toHaveLength(1);
    h.clock.advance(1);
    await worker().tick();
    expect(rx.received).toHaveLength(3);
    // The retry is the same message: same webhook-id, same events.
    expect(rx.received[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(rx.received[1]!.body).toBe(first.body);
    expect(verify(stream.secret, rx.received[1]!, h.clock.now()).type).toBe('audit.events');

    // Accepted messages hold every event once, in order: no duplicate, nothing lost.
    const accepted = streamEvents(stream.secret, rx.received.slice(1), h.clock.now()).map((e) => e.data.eventId);
    expect(accepted).toEqual(await streamedSince(stream.id));
    expect(accepted.filter((id, i) => accepted.indexOf(id) !== i)).toEqual([]);
    await worker().tick();
    expect(rx.received).toHaveLength(3);

    const log = await logOf(stream.id);
    const retried = log.find((d) => d.id === first.headers['webhook-id']);
    expect(retried).toMatchObject({ status: 'delivered', attempts: 2, lastAttempt: { statusCode: 204 } });
    const attempts = await h.gh.db.query<{ status_code: number }>('SELECT status_code FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id', [retried!.id]);
    expect(attempts.map((a) => a.status_code)).toEqual([500, 204]);
    expect(log.filter((d) => d.id !== retried!.id)).toMatchObject([{ status: 'delivered', attempts: 1, eventCount: 1, eventTypes: ['audit.token.grant'] }]);
  });
});
