import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { recordStore } from '../../src/reference-api/store.js';
import { startHarness, type Harness } from '../support/harness.js';

/** An audit event as the export answers it; `detail` is free-form JSON the tests read into. */
type AuditEventView = {
  action: string;
  outcome: string;
  actor: { id?: string; name?: string; type: string };
  target: { type: string; id: string } | null;
  credential: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON whose fields each test reads as it expects
  detail: Record<string, any>;
};

describe('reference API (§7)', () => {
  let h: Harness;
  let writer: { id: string; token: string };
  let otherOrg: { orgId: string; token: string };

  const ALL_FINDINGS = ['governance.findings:read', 'governance.findings:write', 'audit-log:read'];
  beforeAll(async () => {
    // [E5] The test hosts do not resolve; an allowed host is checked only when delivering.
    h = await startHarness({ env: { GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: 'hooks.example.test' } });
    const sa = await h.createServiceAccount(ALL_FINDINGS, { name: 'Scanner Findings Sync' });
    writer = { id: sa.clientId, token: await h.accessToken(sa.clientId, sa.clientSecret) };
    const org = await h.createOrg();
    const osa = await h.createServiceAccount(['governance.findings:read', 'governance.findings:write', 'governance.controls:read'], {}, org);
    otherOrg = { orgId: org, token: await h.accessToken(osa.clientId, osa.clientSecret) };
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves the seeded sample data of the first organization, and nothing of it to another', async () => {
    const sa = await h.createServiceAccount(['governance.controls:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const mine = (await h.api('GET', '/api/v1/governance/controls', token)).json();
    expect(mine.items.length).toBeGreaterThanOrEqual(3);
    expect(mine.items[0]).toMatchObject({ id: expect.stringMatching(/^ctl_/), name: expect.any(String), createdBy: 'system' });
    expect((await h.api('GET', '/api/v1/governance/controls', otherOrg.token)).json().items).toEqual([]);
    expect((await h.api('GET', `/api/v1/governance/controls/${mine.items[0].id}`, otherOrg.token)).statusCode).toBe(404);
  });

  it('creates, reads and updates a finding, attributed to the service account and audited with it', async () => {
    const created = await h.api('POST', '/api/v1/governance/findings', writer.token, { title: 'Public bucket', severity: 'high' });
    expect(created.statusCode).toBe(201);
    const f = created.json();
    expect(f).toMatchObject({ id: expect.stringMatching(/^fnd_/), title: 'Public bucket', severity: 'high', createdBy: writer.id, updatedBy: writer.id });
    const updated = await h.api('PATCH', `/api/v1/governance/findings/${f.id}`, writer.token, { status: 'resolved' });
    expect(updated.json()).toMatchObject({ title: 'Public bucket', status: 'resolved', updatedBy: writer.id });
    expect((await h.api('GET', `/api/v1/governance/findings/${f.id}`, writer.token)).json().status).toBe('resolved');

    const events = (await h.api('GET', '/api/v1/audit-events?limit=500', writer.token)).json().items as AuditEventView[];
    const mine = events.filter((e) => e.target?.id === f.id);
    expect(mine.map((e) => e.action)).toEqual(['finding.create', 'finding.update']);
    expect(mine[0]!.actor).toEqual({ type: 'service_account', id: writer.id, name: 'Scanner Findings Sync' });
  });

  it.each([
    ['no title', { severity: 'high' }],
    ['an empty title', { title: '' }],
    ['an unknown severity', { title: 'x', severity: 'urgent' }],
    ['an unknown field', { title: 'x', owner: 'me' }],
    ['a title that is not text', { title: 42 }],
  ])('refuses a finding with %s (400) and creates nothing', async (_label, body) => {
    const before = (await h.api('GET', '/api/v1/governance/findings?limit=200', writer.token)).json().items.length;
    const res = await h.api('POST', '/api/v1/governance/findings', writer.token, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect((await h.api('GET', '/api/v1/governance/findings?limit=200', writer.token)).json().items.length).toBe(before);
  });

  it('another organization can neither read nor change a finding', async () => {
    const f = (await h.api('POST', '/api/v1/governance/findings', writer.token, { title: 'Mine' })).json();
    expect((await h.api('GET', `/api/v1/governance/findings/${f.id}`, otherOrg.token)).statusCode).toBe(404);
    expect((await h.api('PATCH', `/api/v1/governance/findings/${f.id}`, otherOrg.token, { title: 'Theirs' })).statusCode).toBe(404);
    expect((await h.api('GET', `/api/v1/governance/findings/${f.id}`, writer.token)).json().title).toBe('Mine');
  });

  it('pages with opaque cursors; a tampered cursor or one from another list is refused', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read', 'governance.findings:write'], {}, otherOrg.orgId);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    for (let i = 0; i < 5; i++) await h.api('POST', '/api/v1/governance/findings', token, { title: `f${i}` });
    const pages: string[][] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const res = (await h.api('GET', `/api/v1/governance/findings?limit=2${cursor ? `&cursor=${cursor}` : ''}`, token)).json();
      pages.push(res.items.map((f: { title: string }) => f.title));
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(pages).toEqual([['f0', 'f1'], ['f2', 'f3'], ['f4']]);
    const first = (await h.api('GET', '/api/v1/governance/findings?limit=2', token)).json().nextCursor as string;
    const tampered = `${first.slice(0, 3)}${first[3] === 'A' ? 'B' : 'A'}${first.slice(4)}`;
    for (const [url, tok] of [
      [`/api/v1/governance/findings?cursor=${tampered}`, token],
      [`/api/v1/governance/findings?cursor=${first}`, writer.token],
    ] as const) {
      const res = await h.api('GET', url, tok);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_cursor');
    }
    expect((await h.api('GET', '/api/v1/governance/findings?limit=0', token)).statusCode).toBe(400);
    expect((await h.api('GET', '/api/v1/governance/findings?limit=201', token)).statusCode).toBe(400);
  });

  it('binds a cursor to its list: one from another resource of the same organization is refused', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read', 'governance.controls:read', 'audit-log:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const controls = (await h.api('GET', '/api/v1/governance/controls?limit=1', token)).json();
    expect(controls.nextCursor).toEqual(expect.any(String));
    const audit = (await h.api('GET', '/api/v1/audit-events?limit=1', token)).json().nextCursor as string;
    for (const foreign of [controls.nextCursor as string, audit]) {
      const res = await h.api('GET', `/api/v1/governance/findings?cursor=${encodeURIComponent(foreign)}`, token);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_cursor');
    }
    expect((await h.api('GET', `/api/v1/governance/controls?cursor=${controls.nextCursor}`, token)).statusCode).toBe(200);
    expect((await h.api('GET', '/api/v1/governance/controls?page=2', token)).statusCode).toBe(400);
  });

  it('answers 50 records by default, and serializes only the fields the table declares', async () => {
    const org = await h.createOrg('Busy organization');
    const sa = await h.createServiceAccount(['governance.findings:read'], {}, org);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const scope = { orgId: org, resource: 'governance/findings', parentId: null, ownerId: null };
    for (let i = 0; i < 51; i++) {
      await recordStore.insert(h.gh.db, scope, {
        id: newId('fnd'),
        data: { title: `t${i}`, internalNote: 'not for the API' },
        at: h.clock.now(),
        by: 'system',
      });
    }
    const page = (await h.api('GET', '/api/v1/governance/findings', token)).json();
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(Object.keys(page.items[0]).sort()).toEqual(['createdAt', 'createdBy', 'id', 'title', 'updatedAt', 'updatedBy']);
    const rest = (await h.api('GET', `/api/v1/governance/findings?cursor=${page.nextCursor}`, token)).json();
    expect(rest).toMatchObject({ items: [{ title: 't50' }], nextCursor: null });
  });

  it('records submission package events under their package, and 404s for a package of another organization', async () => {
    const sa = await h.createServiceAccount(['governance.submissions:read', 'governance.submissions:write']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const [pkg] = (await h.api('GET', '/api/v1/governance/submission-packages', token)).json().items;
    const ev = await h.api('POST', `/api/v1/governance/submission-packages/${pkg.id}/events`, token, { type: 'submitted', note: 'sent to auditor' });
    expect(ev.statusCode).toBe(201);
    expect(ev.json()).toMatchObject({ id: expect.stringMatching(/^sbe_/), type: 'submitted', createdBy: sa.clientId });
    const list = (await h.api('GET', `/api/v1/governance/submission-packages/${pkg.id}/events`, token)).json();
    expect(list.items.map((e: { type: string }) => e.type)).toEqual(['submitted']);
    const osa = await h.createServiceAccount(['governance.submissions:read', 'governance.submissions:write'], {}, otherOrg.orgId);
    const otoken = await h.accessToken(osa.clientId, osa.clientSecret);
    expect((await h.api('POST', `/api/v1/governance/submission-packages/${pkg.id}/events`, otoken, { type: 'note' })).statusCode).toBe(404);
    expect((await h.api('GET', `/api/v1/governance/submission-packages/${pkg.id}/events`, otoken)).statusCode).toBe(404);
    expect((await h.api('POST', `/api/v1/governance/submission-packages/${pkg.id}/events`, token, { type: 'lost' })).statusCode).toBe(400);
  });

  it('creates an evidence claim with attachments and corrects it', async () => {
    const sa = await h.createServiceAccount(['governance.evidence:read', 'governance.evidence:write']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const claim = await h.api('POST', '/api/v1/governance/evidence-claims', token, {
      requirementId: 'evr_x',
      summary: 'Q3 access review export',
      attachments: [{ name: 'review.csv', url: 'https://files.example.test/review.csv' }],
    });
    expect(claim.statusCode).toBe(201);
    const fixed = await h.api('PATCH', `/api/v1/governance/evidence-claims/${claim.json().id}`, token, { summary: 'Q3 access review export (signed)' });
    expect(fixed.json()).toMatchObject({ summary: 'Q3 access review export (signed)', attachments: [{ name: 'review.csv' }] });
    expect(
      (await h.api('POST', '/api/v1/governance/evidence-claims', token, { requirementId: 'evr_x', summary: 'x', attachments: [{ name: 'a', url: 'ftp://x' }] }))
        .statusCode,
    ).toBe(400);
  });

  it('webhooks belong to the service account that made them', async () => {
    const a = await h.createServiceAccount(['webhooks:manage']);
    const b = await h.createServiceAccount(['webhooks:manage']);
    const ta = await h.accessToken(a.clientId, a.clientSecret);
    const tb = await h.accessToken(b.clientId, b.clientSecret);
    const hook = await h.api('POST', '/api/v1/webhooks', ta, { url: 'https://hooks.example.test/a', events: ['finding.created'] });
    expect(hook.statusCode).toBe(201);
    const id = hook.json().id;
    expect((await h.api('GET', '/api/v1/webhooks', tb)).json().items).toEqual([]);
    expect((await h.api('GET', `/api/v1/webhooks/${id}`, tb)).statusCode).toBe(404);
    expect((await h.api('PATCH', `/api/v1/webhooks/${id}`, tb, { active: false })).statusCode).toBe(404);
    expect((await h.api('DELETE', `/api/v1/webhooks/${id}`, tb)).statusCode).toBe(404);
    for (const bad of [
      { url: 'http://insecure.example.test', events: ['x'] },
      { url: `https://hooks.example.test/${'a'.repeat(2048)}`, events: ['x'] },
      { url: 'https://hooks.example.test/a', events: [] },
      { url: 'https://hooks.example.test/a', events: 'finding.created' },
      { url: 'https://hooks.example.test/a' },
      { url: 'https://hooks.example.test/a', events: ['x'], secret: 'y' },
    ]) {
      const res = await h.api('POST', '/api/v1/webhooks', ta, bad);
      expect(res.statusCode, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    expect((await h.api('GET', '/api/v1/webhooks', ta)).json().items.map((w: { id: string }) => w.id)).toEqual([id]);

    // A second hook gives a cursor; it is bound to its owner's list, not just the organization's.
    await h.api('POST', '/api/v1/webhooks', ta, { url: 'https://hooks.example.test/a2', events: ['finding.updated'] });
    const cursor = (await h.api('GET', '/api/v1/webhooks?limit=1', ta)).json().nextCursor;
    expect((await h.api('GET', `/api/v1/webhooks?cursor=${cursor}`, tb)).json().error).toBe('invalid_cursor');

    // The audit row names the fields written, never the URL (which may embed a secret).
    const admin = await h.createServiceAccount(['audit-log:read']);
    const atok = await h.accessToken(admin.clientId, admin.clientSecret);
    const audit = (await h.api('GET', '/api/v1/audit-events?limit=500&action=webhook.create', atok)).json().items;
    const created = audit.find((e: { target: { id: string } }) => e.target.id === id);
    expect(created).toMatchObject({ actor: { type: 'service_account', id: a.clientId }, detail: { fields: ['url', 'events'] } });
    expect(JSON.stringify(audit)).not.toContain('hooks.example.test');
    expect((await h.api('PATCH', `/api/v1/webhooks/${id}`, ta, { active: false })).json().active).toBe(false);
    expect((await h.api('DELETE', `/api/v1/webhooks/${id}`, ta)).statusCode).toBe(204);
    expect((await h.api('GET', `/api/v1/webhooks/${id}`, ta)).statusCode).toBe(404);
  });

  it('the audit log pages oldest first for SIEM export', async () => {
    const items: Array<{ id: string }> = [];
    let cursor = '';
    do {
      const res = (await h.api('GET', `/api/v1/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`, writer.token)).json();
      items.push(...res.items);
      cursor = res.nextCursor ?? '';
    } while (cursor && items.length < 30);
    expect(items.length).toBeGreaterThan(3);
    expect(items.map((e) => e.id)).toEqual([...items.map((e) => e.id)].sort());
  });
});
