import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { recordStore } from '../../src/reference-api/store.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * The findings list is built as JSON text by the database (db/json-sql.ts, issue 16 item 6): its
 * body must be byte for byte what the response serializer writes, which GET /findings/{id} still
 * uses for one record: same members in the same order, absent fields absent, instants as
 * toISOString writes them, strings escaped as JSON.stringify does, and the same cursor.
 */
describe('reference API list bodies built by the database (§8)', () => {
  let h: Harness;
  let token: string;
  const ids: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    const org = await h.createOrg('JSON shape');
    const sa = await h.createServiceAccount(['governance.findings:read', 'governance.findings:write'], {}, org);
    token = await h.accessToken(sa.clientId, sa.clientSecret);
    const bodies = [
      { title: 'only a title' },
      { title: 'every field', severity: 'critical', description: 'd', status: 'in_progress', controlId: 'ctl_1', assetId: 'ast_1' },
      { title: 'quotes " and \\ backslash', description: 'line\nbreak\ttab\r\u0001\u001f\u007f' },
      { title: 'ünïcödé ✓ 😀 \u2028\u2029 </script>', status: 'open' },
      { title: 'no description', description: '' },
    ];
    for (const body of bodies) {
      const res = await h.api('POST', '/api/v1/governance/findings', token, body);
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
    }
    // Undeclared data and instants on and just before a whole second, written past the API.
    const scope = { orgId: org, resource: 'governance/findings', parentId: null, ownerId: null };
    for (const at of ['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.999Z']) {
      const id = newId('fnd');
      await recordStore.insert(h.gh.db, scope, { id, data: { title: `at ${at}`, internalNote: 'not for the API' }, at: new Date(at), by: 'system' });
      ids.push(id);
    }
    const patched = await h.api('PATCH', `/api/v1/governance/findings/${ids[0]}`, token, { severity: 'low' });
    expect(patched.statusCode).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  const one = async (id: string) => {
    const res = await h.api('GET', `/api/v1/governance/findings/${id}`, token);
    expect(res.statusCode).toBe(200);
    return res;
  };

  it('writes each page byte for byte as the serializer writes its records, with the same cursor', async () => {
    const reference = await one(ids[0]!);
    let cursor: string | null = null;
    const seen: string[] = [];
    do {
      const res = await h.api('GET', `/api/v1/governance/findings?limit=3${cursor ? `&cursor=${cursor}` : ''}`, token);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(reference.headers['content-type']);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      const items = await Promise.all(page.items.map(async (item) => (await one(item.id)).body));
      expect(res.body).toBe(`{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`);
      // The cursor is the last item's id, MAC'd for this list (http/cursor.ts), as before.
      if (page.nextCursor) {
        const [body] = page.nextCursor.split('.');
        expect(JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'))).toEqual({ k: page.items.at(-1)!.id });
      }
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('pins the shape: bookkeeping before the fields (as the serializer orders required members), absent fields absent, undeclared data dropped, instants in UTC with milliseconds', async () => {
    const page = (await h.api('GET', '/api/v1/governance/findings?limit=200', token)).json() as { items: Record<string, unknown>[]; nextCursor: null };
    expect(page.nextCursor).toBeNull();
    const byTitle = new Map(page.items.map((i) => [i.title, i]));
    expect(Object.keys(byTitle.get('only a title')!)).toEqual(['id', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'title', 'severity']);
    expect(Object.keys(byTitle.get('every field')!)).toEqual([
      'id',
      'createdAt',
      'createdBy',
      'updatedAt',
      'updatedBy',
      'title',
      'severity',
      'description',
      'status',
      'controlId',
      'assetId',
    ]);
    expect(byTitle.get('no description')).toMatchObject({ description: '' });
    const dropped = byTitle.get('at 2026-01-02T03:04:05.000Z')!;
    expect(Object.keys(dropped)).toEqual(['id', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'title']);
    expect(dropped).toEqual({
      title: 'at 2026-01-02T03:04:05.000Z',
      id: ids[5],
      createdAt: '2026-01-02T03:04:05.000Z',
      createdBy: 'system',
      updatedAt: '2026-01-02T03:04:05.000Z',
      updatedBy: 'system',
    });
    expect(byTitle.get('at 2026-01-02T03:04:05.999Z')).toMatchObject({ createdAt: '2026-01-02T03:04:05.999Z' });
  });

  it('answers an empty list, and an exact last page, without a cursor', async () => {
    const org = await h.createOrg('Empty');
    const sa = await h.createServiceAccount(['governance.findings:read'], {}, org);
    const empty = await h.api('GET', '/api/v1/governance/findings', await h.accessToken(sa.clientId, sa.clientSecret));
    expect(empty.body).toBe('{"items":[],"nextCursor":null}');
    const exact = (await h.api('GET', `/api/v1/governance/findings?limit=${ids.length}`, token)).json();
    expect(exact.items).toHaveLength(ids.length);
    expect(exact.nextCursor).toBeNull();
  });
});
