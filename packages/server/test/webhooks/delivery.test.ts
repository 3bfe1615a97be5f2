import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, verify } from './receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const FINDINGS = ['governance.findings:read', 'governance.findings:write'];

/** §15 [E1]–[E3]: subscriptions, the outbox, signing, retries, judging at delivery. */
describe('webhook delivery', () => {
  let h: Harness;
  let rx: Receiver;
  let start: Date;
  let writer: { clientId: string; clientSecret: string };
  const hooks: Array<{ creds: { clientId: string; clientSecret: string }; id: string }> = [];
  /** A fresh token: tests that move the clock outlive a 15-minute token. */
  const fresh = (c: { clientId: string; clientSecret: string }) => h.accessToken(c.clientId, c.clientSecret);

  /** A subscriber account with `scopes`, and its subscription to `events` at the receiver. */
  const subscribe = async (events: string[], scopes = ['webhooks:manage', 'governance.findings:read']) => {
    const sa = await h.createServiceAccount(scopes);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const res = await h.api('POST', '/api/v1/webhooks', token, { url: rx.url, events });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { id: string; secret: string };
    hooks.push({ creds: sa, id: body.id });
    return { ...body, token, clientId: sa.clientId, creds: sa };
  };
  const createFinding = async (title = 'Open S3 bucket') => {
    const res = await h.api('POST', '/api/v1/governance/findings', await fresh(writer), { title, severity: 'high' });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };

  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    writer = await h.createServiceAccount(FINDINGS);
    start = h.clock.now();
  });
  afterEach(async () => {
    h.clock.set(start); // tests that move the clock hand the next one a live console session
    // Directly: some subscribers were disabled by the test and can no longer call the API.
    await h.gh.db.query('DELETE FROM webhook_endpoints WHERE id = ANY($1)', [hooks.splice(0).map((x) => x.id)]);
    await rx?.close();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('[E1] [E3] a finding created is delivered as finding.created within 2 s, signed per Standard Webhooks', async () => {
    rx = await startReceiver();
    const hook = await subscribe(['finding.created']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The secret is shown once: never again in a read.
    expect(JSON.stringify((await h.api('GET', `/api/v1/webhooks/${hook.id}`, hook.token)).json())).not.toContain(hook.secret);
    const [stored] = await h.gh.db.query<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM webhook_endpoints WHERE id = $1', [hook.id]);
    expect(stored!.secret_ciphertext).not.toContain(hook.secret.slice(6, 20));

    const started = Date.now();
    const findingId = await createFinding();
    // No tick(): the background worker delivers on its own.
    await expect.poll(() => rx.received.length, { timeout: 2_000, interval: 50 }).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    const msg = verify(hook.secret, rx.received[0]!, h.clock.now());
    expect(msg).toMatchObject({ type: 'finding.created', data: { action: 'finding.create', target: { type: 'finding', id: findingId } } });
    expect(rx.received[0]!.headers['webhook-id']).toMatch(/^msg_/);

    const logOf = async () => (await h.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, hook.token)).json();
    await expect.poll(async () => (await logOf()).items[0]?.status).toBe('delivered');
    const log = await logOf();
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      eventType: 'finding.created',
      status: 'delivered',
      attempts: 1,
      lastAttempt: { outcome: 'delivered', statusCode: 204 },
    });
    // A tampered body does not verify.
    expect(() => verify(hook.secret, { ...rx.received[0]!, body: rx.received[0]!.body.replace('finding', 'fInding') }, h.clock.now())).toThrow();
  });

  it('[E3] a receiver answering 500 twice gets the event on the third attempt, on the back-off schedule', async () => {
    rx = await startReceiver();
    rx.statuses.push(500, 500);
    const hook = await subscribe(['finding.created']);
    const worker = h.gh.services.deliveries;
    await createFinding('retried');
    await worker.tick();
    expect(rx.received).toHaveLength(1);
    // Not before 5 s have passed on the server's clock.
    h.clock.advance(4);
    await worker.tick();
    expect(rx.received).toHaveLength(1);
    h.clock.advance(1);
    await worker.tick();
    expect(rx.received).toHaveLength(2);
    h.clock.advance(299);
    await worker.tick();
    expect(rx.received).toHaveLength(2);
    h.clock.advance(1);
    await worker.tick();
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(verify(hook.secret, rx.received[2]!, h.clock.now()).type).toBe('finding.created');
    const [item] = (await h.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, hook.token)).json().items;
    expect(item).toMatchObject({ status: 'delivered', attempts: 3, lastAttempt: { statusCode: 204 } });
    const attempts = await h.gh.db.query<{ outcome: string; status_code: number; excerpt: string }>(
      'SELECT outcome, status_code, excerpt FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id',
      [item.id],
    );
    expect(attempts.map((a) => [a.outcome, a.status_code])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['delivered', 204],
    ]);
    expect(attempts[0]!.excerpt.length).toBeLessThanOrEqual(256);

    // Redelivery sends the same message again, on request.
    expect((await h.api('POST', `/api/v1/webhooks/${hook.id}/deliveries/${item.id}/redeliver`, hook.token)).statusCode).toBe(202);
    await worker.tick();
    expect(rx.received).toHaveLength(4);
    expect(rx.received[3]!.headers['webhook-id']).toBe(item.id);
    expect((await h.api('POST', `/api/v1/webhooks/${hook.id}/deliveries/msg_nope/redeliver`, hook.token)).statusCode).toBe(404);
  });

  it('[E2] [A9] a disabled, or narrowed, subscriber account receives nothing; the skip is recorded', async () => {
    rx = await startReceiver();
    const disabled = await subscribe(['finding.created']);
    const narrowed = await subscribe(['finding.created']);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${disabled.clientId}/disable`);
    const patch = await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${narrowed.clientId}`, { scopes: ['webhooks:manage'] });
    expect(patch.statusCode, patch.body).toBe(200);
    await createFinding('not for them');
    await h.gh.services.deliveries.tick();
    expect(rx.received).toHaveLength(0);
    const rows = await h.gh.db.query<{ endpoint_id: string; status: string; excerpt: string }>(
      `SELECT d.endpoint_id, d.status, a.excerpt FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
        WHERE d.endpoint_id = ANY($1)`,
      [[disabled.id, narrowed.id]],
    );
    expect(rows.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(rows.find((r) => r.endpoint_id === disabled.id)!.excerpt).toContain('disabled');
    expect(rows.find((r) => r.endpoint_id === narrowed.id)!.excerpt).toContain('governance.findings:read');
  });

  it('[E5] refuses private, loopback, link-local, unique-local and IPv4-mapped destinations, and http, at creation', async () => {
    const sa = await h.createServiceAccount(['webhooks:manage']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    for (const url of [
      'https://10.0.0.7/hook',
      'https://192.168.1.1/hook',
      'https://127.0.0.2/hook',
      'https://localhost/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[fe80::1]/hook',
      'https://[fd12:3456::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://224.0.0.1/hook',
      'http://93.184.215.14/hook',
    ]) {
      const res = await h.api('POST', '/api/v1/webhooks', token, { url, events: ['finding.created'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: 'invalid_request' });
    }
    expect((await h.api('POST', '/api/v1/webhooks', token, { url: 'https://93.184.215.14/hook', events: ['nope.created'] })).statusCode).toBe(400);
    const listed = await h.api('GET', '/api/v1/webhooks', token);
    expect(listed.json().items).toEqual([]);
  });
  it('[E1] after a rotation both secrets sign during the overlap, then only the new one', async () => {
    rx = await startReceiver();
    const hook = await subscribe(['finding.created']);
    const rotated = await h.api('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, hook.token);
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json() as { secret: string };
    expect(secret).not.toBe(hook.secret);
    await createFinding('during overlap');
    await h.gh.services.deliveries.tick();
    const during = rx.received[0]!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(hook.secret, during, h.clock.now()).type).toBe('finding.created');
    expect(verify(secret, during, h.clock.now()).type).toBe('finding.created');

    h.clock.advance(24 * 3600 + 1);
    await createFinding('after overlap');
    await h.gh.services.deliveries.tick();
    const after = rx.received[1]!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verify(secret, after, h.clock.now()).type).toBe('finding.created');
    expect(() => verify(hook.secret, after, h.clock.now())).toThrow();
  });

  it('[E3] a subscription failing for 3 days is disabled, and that is audited', async () => {
    rx = await startReceiver();
    rx.statuses.push(...Array(50).fill(500));
    const hook = await subscribe(['finding.created']);
    const worker = h.gh.services.deliveries;
    await createFinding('never accepted');
    await worker.tick();
    for (const wait of [5, 300, 1800, 7200, 18000, 36000, 86400]) {
      h.clock.advance(wait);
      await worker.tick();
    }
    expect(rx.received).toHaveLength(8);
    const [gaveUp] = (await h.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, await fresh(hook.creds))).json().items;
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 8 });
    expect((await h.api('GET', `/api/v1/webhooks/${hook.id}`, await fresh(hook.creds))).json().active).toBe(true);

    h.clock.advance(31 * 3600); // past 3 days since the first failure
    await createFinding('still failing');
    await worker.tick();
    const after = (await h.api('GET', `/api/v1/webhooks/${hook.id}`, await fresh(hook.creds))).json();
    expect(after).toMatchObject({ active: false, disabledAt: expect.any(String) });
    const events = await h.gh.db.query<{ actor_type: string }>("SELECT actor_type FROM audit_events WHERE action = 'webhook.disabled' AND target_id = $1", [
      hook.id,
    ]);
    expect(events).toEqual([{ actor_type: 'system' }]);
    // Disabled: no more deliveries are even queued.
    await createFinding('after disable');
    await worker.tick();
    expect(rx.received).toHaveLength(9);
  });
});
