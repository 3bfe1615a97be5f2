import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, streamEvents } from '../webhooks/receiver.js';

/** §15 [E4]: an owner streams the organization's audit log to an endpoint, signed like webhooks. */
describe('audit streaming', () => {
  let h: Harness;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    rx = await startReceiver();
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  it('streams every audit event of the organization, including token grants, with a test button and a delivery log', async () => {
    const base = `/console/api/orgs/${h.orgId}/audit-streams`;
    const created = await h.owner.request('POST', base, { url: rx.url, description: 'SIEM' });
    expect(created.statusCode, created.body).toBe(201);
    const { id, secret } = created.json() as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const listed = await h.owner.request('GET', base);
    expect(listed.json().items).toMatchObject([{ id, url: rx.url, active: true }]);
    expect(listed.body).not.toContain(secret);

    const sa = await h.createServiceAccount(['audit-log:read']);
    await h.accessToken(sa.clientId, sa.clientSecret); // a token grant: group-committed, streamed too
    expect((await h.owner.request('POST', `${base}/${id}/test`)).statusCode).toBe(202);
    await h.gh.services.deliveries.tick();
    // [E4] Each message is a batch ({type: 'audit.events', data: {events}}), signed as one.
    const types = streamEvents(secret, rx.received, h.clock.now()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['audit.service_account.create', 'audit.token.grant', 'audit.audit_stream.test']));
    // No secret travels in a stream: the client secret is never in an audit event.
    expect(rx.received.map((r) => r.body).join('')).not.toContain(sa.clientSecret);

    const log = await h.owner.request('GET', `${base}/${id}/deliveries`);
    expect(log.statusCode).toBe(200);
    expect(log.json().items.length).toBe(rx.received.length);
    expect(log.json().items.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    // One log entry per message, naming how many events it carried and their types.
    const logged = log.json().items as Array<{ id: string; eventType: string; eventCount: number; eventTypes: string[] }>;
    expect(logged.map((d) => d.id).sort()).toEqual(rx.received.map((r) => r.headers['webhook-id']).sort());
    expect(logged.every((d) => d.eventType === 'audit.events')).toBe(true);
    expect(logged.reduce((n, d) => n + d.eventCount, 0)).toBe(types.length);
    expect(logged.flatMap((d) => d.eventTypes)).toEqual(expect.arrayContaining(['audit.token.grant', 'audit.audit_stream.test']));

    // Admins read the audit log but do not choose where it goes.
    const admin = await h.addUser('admin');
    expect((await admin.request('GET', base)).statusCode).toBe(403);
    expect((await admin.request('POST', base, { url: rx.url })).statusCode).toBe(403);
    // [E5] a private destination is refused for streams too.
    const refused = await h.owner.request('POST', base, { url: 'https://192.168.0.10/siem' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_request');

    expect((await h.owner.request('DELETE', `${base}/${id}`)).statusCode).toBe(204);
    expect((await h.owner.request('GET', base)).json().items).toEqual([]);
  });
});
