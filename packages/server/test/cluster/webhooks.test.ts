import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, verify } from '../webhooks/receiver.js';
import { consoleSession, msUntil, scratchDatabase, startServer, token, type ServerProcess } from './processes.js';

/**
 * [E3] Two real server processes on one PostgreSQL share the outbox: every event is delivered,
 * and none twice (FOR UPDATE SKIP LOCKED with a lease), whichever instance recorded it.
 */
describe('webhooks across two instances', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let rx: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    rx = await startReceiver();
    db = await scratchDatabase();
    const env = { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
    a = await startServer(db.url, env);
    b = await startServer(db.url, env);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    await rx?.close();
  });

  it('each event is delivered exactly once', async () => {
    const owner = await consoleSession(a.url);
    const created = await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, {
      name: 'cluster webhooks',
      scopes: ['webhooks:manage', 'governance.findings:read', 'governance.findings:write'],
    });
    const sa = created.json as { clientId: string; clientSecret: string };
    const bearer = (await token(a.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).json.access_token!;
    const call = (url: string, path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const hook = await call(a.url, '/api/v1/webhooks', { url: rx.url, events: ['finding.created'] });
    expect(hook.status).toBe(201);
    const { secret } = (await hook.json()) as { secret: string };

    const N = 20;
    for (let i = 0; i < N; i++) expect((await call(i % 2 ? a.url : b.url, '/api/v1/governance/findings', { title: `finding ${i}` })).status).toBe(201);
    await msUntil(async () => rx.received.length >= N, 15_000);
    await new Promise((r) => setTimeout(r, 1_500)); // room for a duplicate to show up, if there were one
    const ids = rx.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    for (const r of rx.received) expect(verify(secret, r, new Date()).type).toBe('finding.created');
  }, 60_000);
});
