import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/events.js';
import { auditStore, toAuditRow, type AuditRow } from '../../src/audit/store.js';
import { formStreamBatches } from '../../src/webhooks/batches.js';
import { batchBodySql, streamBatchBody } from '../../src/webhooks/payload.js';
import { StreamTap } from '../../src/webhooks/stream-tap.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * [E4] A stream takes its next batch from the grant events this instance committed and holds in
 * memory only when the database holds exactly those events after the stream's position; anything
 * else there (a console action, an event the memory never saw) sends the batch the SQL way, and no
 * event is lost or invented. The background worker is stopped: each test forms the batches itself,
 * with a tap of its own.
 */
describe('audit-stream batches from memory', () => {
  let h: Harness;
  let streamId: string;
  let tap: StreamTap;

  const grant = (n: number, detail: Record<string, unknown> = { grantType: 'client_credentials', scopes: ['audit-log:read'] }): AuditRow[] =>
    Array.from({ length: n }, () =>
      toAuditRow(
        {
          orgId: h.orgId,
          action: 'token.grant',
          outcome: 'success',
          actor: { type: 'service_account', id: 'svc_tap', name: 'tap "quoted" \u00e9' },
          target: { type: 'service_account', id: 'svc_tap' },
          detail,
        } as AuditEvent,
        { ip: '192.0.2.7', userAgent: 'test' },
        h.clock.now(),
      ),
    );
  /** A grant batch's commit as the audit log makes it, the tap told of it. */
  const commitGrants = async (rows: AuditRow[]) => tap.committed(await auditStore.insertGrantsWithTxid(h.gh.db, rows), rows);
  /** One round of batch forming; the batch made is marked delivered so that the next round may form another. */
  const form = async () => {
    const made = await formStreamBatches(h.gh.db, h.clock.now(), tap);
    await h.gh.db.query("UPDATE webhook_deliveries SET status = 'delivered' WHERE status = 'pending'");
    return [...made.bodies.values()].map((b) => JSON.parse(b) as { data: { events: Array<{ data: { eventId: string } }> } });
  };
  const idsOf = (bodies: Awaited<ReturnType<typeof form>>) => bodies.flatMap((b) => b.data.events.map((e) => e.data.eventId));

  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    await h.gh.services.deliveries.stop();
  });
  beforeEach(async () => {
    await h.gh.db.query("DELETE FROM webhook_endpoints WHERE kind = 'audit_stream'");
    const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/audit-streams`, { url: 'http://127.0.0.1:9/audit' });
    expect(res.statusCode, res.body).toBe(201);
    streamId = (res.json() as { id: string }).id;
    tap = new StreamTap();
    tap.addOrg(h.orgId);
    // The stream's own creation event is not a grant: it goes first, the SQL way.
    expect(idsOf(await form())).toHaveLength(1);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('takes held grant events as they are, and builds the same body the database would', async () => {
    const rows = [...grant(3), ...grant(1, {}), ...grant(1, { nested: { a: [1, 'two', null] }, z: 1, a: 'x' })];
    rows[1]!.event.actor = { type: 'service_account', id: 'svc_tap' }; // no name: left out
    rows[2]!.event.target = undefined; // no target: null
    rows[3]!.ctx = { ip: '' }; // no address: null
    await commitGrants(rows);

    const made = await formStreamBatches(h.gh.db, h.clock.now(), tap);
    const [body] = [...made.bodies.values()];
    // Built from memory: byte for byte what streamBatchBody makes of the rows.
    expect(body).toBe(streamBatchBody('audit.events', rows));
    // And the same JSON value as the database builds from the stored rows (retries are built so).
    const [fromSql] = await h.gh.db.query<{ body: string }>(`SELECT ${batchBodySql('a', "'audit.events'")} AS body FROM audit_events a WHERE a.id = ANY ($1)`, [
      rows.map((r) => r.id),
    ]);
    expect(JSON.parse(body!)).toEqual(JSON.parse(fromSql!.body));
    const stream = await h.gh.db.query<{ stream_event_id: string }>('SELECT stream_event_id FROM webhook_endpoints WHERE id = $1', [streamId]);
    expect(stream[0]!.stream_event_id).toBe(rows.at(-1)!.id);
  });

  it('an event committed between held ones but not held (a console action) sends the batch the SQL way, with every event once, in order', async () => {
    const before = grant(2);
    await commitGrants(before);
    const [console] = grant(1);
    console!.event.action = 'service_account.update';
    await auditStore.insert(h.gh.db, [console!]); // not through the tap
    const after = grant(2);
    await commitGrants(after);

    expect(idsOf(await form())).toEqual([...before, console!, ...after].map((r) => r.id));
    // Then the tap is used again, from where the stream now stands.
    const next = grant(2);
    await commitGrants(next);
    expect(idsOf(await form())).toEqual(next.map((r) => r.id));
    expect(idsOf(await form())).toEqual([]);
  });

  it('an event the tap holds but the database lacks is not sent, and the stream does not move past events it holds not', async () => {
    const real = grant(2);
    const phantom = grant(1);
    // Told of one more event in the same commit than the database holds.
    tap.committed(await auditStore.insertGrantsWithTxid(h.gh.db, real), [...real, ...phantom]);
    expect(idsOf(await form())).toEqual(real.map((r) => r.id));
    const later = grant(1);
    await commitGrants(later);
    expect(idsOf(await form())).toEqual(later.map((r) => r.id));
  });
});
