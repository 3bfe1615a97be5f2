import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, streamEvents } from '../webhooks/receiver.js';

/**
 * [E4] [M1] [M2] Audit streams at /manage/v1: the console's operations for an owner's token that
 * carries `manage:organization`, audited as that person. The guard's rows (roles, service-account
 * tokens, cookies, other organizations) are in manage-security-matrix.test.ts.
 */
describe('/manage/v1 audit streams', () => {
  let h: Harness;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let ci: string;
  const base = () => `/manage/v1/orgs/${h.orgId}/audit-streams`;
  const narrowed = async (scopes: string[]) => h.userAccessToken((await h.createRefreshToken(h.owner, { name: scopes.join(' '), scopes })).refreshToken);

  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    rx = await startReceiver();
    ci = await narrowed(['manage:organization']);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  it('a token narrowed to manage:organization creates a stream (whsec_ secret once), tests it, reads its delivery log and deletes it', async () => {
    const created = await h.api('POST', base(), ci, { url: rx.url, description: 'SIEM via CI' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { id, secret } = created.json() as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);

    // The same stream through the console's door, and the secret in no other answer.
    const viaManage = await h.api('GET', `${base()}/${id}`, ci);
    const viaConsole = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-streams/${id}`);
    expect(viaManage.statusCode).toBe(200);
    expect(viaManage.json()).toEqual(viaConsole.json());
    expect(viaManage.json()).toMatchObject({ id, url: rx.url, description: 'SIEM via CI', active: true });
    const listed = await h.api('GET', base(), ci);
    expect((listed.json() as { items: Array<{ id: string }> }).items.map((s) => s.id)).toEqual([id]);
    for (const res of [viaManage, listed]) expect(res.body).not.toContain(secret);

    expect((await h.api('POST', `${base()}/${id}/test`, ci)).statusCode).toBe(202);
    await h.gh.services.deliveries.tick();
    const events = streamEvents(secret, rx.received, h.clock.now());
    const test = events.find((e) => e.type === 'audit.audit_stream.test');
    expect(test?.data).toMatchObject({ actor: { type: 'user', id: h.owner.userId } });

    const log = await h.api('GET', `${base()}/${id}/deliveries`, ci);
    expect(log.statusCode).toBe(200);
    const items = (log.json() as { items: Array<{ eventType: string; eventTypes: string[]; status: string }> }).items;
    const carrying = items.find((d) => d.eventTypes.includes('audit.audit_stream.test'));
    expect(carrying).toMatchObject({ eventType: 'audit.events', status: 'delivered' });
    expect(log.body).not.toContain(secret);

    expect((await h.api('DELETE', `${base()}/${id}`, ci)).statusCode).toBe(204);
    expect((await h.api('GET', `${base()}/${id}`, ci)).statusCode).toBe(404);
    expect((await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-streams`)).json()).toMatchObject({ items: [] });
  });

  it('[E3] PATCH pauses and resumes a stream; a paused stream receives nothing', async () => {
    const { id } = (await h.api('POST', base(), ci, { url: rx.url })).json() as { id: string };
    const paused = await h.api('PATCH', `${base()}/${id}`, ci, { active: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ id, active: false });
    await h.gh.services.deliveries.tick();
    const before = rx.received.length;
    await h.createServiceAccount(['assets:read']);
    await h.gh.services.deliveries.tick();
    expect(rx.received.length).toBe(before);

    expect((await h.api('PATCH', `${base()}/${id}`, ci, { active: true })).json()).toMatchObject({ active: true, disabledAt: null });
    const empty = await h.api('PATCH', `${base()}/${id}`, ci, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: 'invalid_request' });
    await h.api('DELETE', `${base()}/${id}`, ci);
  });

  it('[M2] only manage:organization opens it: tokens narrowed to the other management scopes or audit-log:read get 403, and change nothing', async () => {
    for (const scope of ['manage:service-accounts', 'manage:members', 'audit-log:read']) {
      const token = await narrowed([scope]);
      const res = await h.api('POST', base(), token, { url: rx.url });
      expect(res.statusCode, scope).toBe(403);
      expect(res.json()).toMatchObject({ error: 'insufficient_scope' });
      expect((await h.api('GET', base(), token)).statusCode, scope).toBe(403);
    }
    expect((await h.api('GET', base(), ci)).json()).toMatchObject({ items: [] });
  });

  it('[M1] every write is audited as the person, never with the URL or the secret', async () => {
    const created = (await h.api('POST', base(), ci, { url: `${rx.url}?token=embedded-credential` })).json() as { id: string; secret: string };
    await h.api('PATCH', `${base()}/${created.id}`, ci, { description: 'renamed' });
    await h.api('POST', `${base()}/${created.id}/test`, ci);
    await h.api('DELETE', `${base()}/${created.id}`, ci);
    const audit = await h.api('GET', `/manage/v1/orgs/${h.orgId}/audit-events?limit=100`, await narrowed(['audit-log:read']));
    expect(audit.statusCode, audit.body).toBe(200);
    const mine = (audit.json() as { items: Array<{ action: string; actor: unknown; target: { id: string } | null }> }).items.filter(
      (e) => e.target?.id === created.id,
    );
    expect(mine.map((e) => e.action).sort()).toEqual(['audit_stream.create', 'audit_stream.delete', 'audit_stream.test', 'audit_stream.update']);
    for (const e of mine) expect(e.actor).toMatchObject({ type: 'user', id: h.owner.userId, name: 'owner@example.test' });
    expect(audit.body).not.toContain(created.secret);
    expect(audit.body).not.toContain('embedded-credential');
  });
});
