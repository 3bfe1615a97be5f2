import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/http/timestamps.js';
import net from 'node:net';
import { startHarness, type Harness } from '../support/harness.js';
import { startListening } from '../support/listening.js';

/**
 * §10: hostile URLs, forms and dates get the documented `{"error","error_description"}` with a
 * 4xx, the same on PGlite and PostgreSQL, and change nothing. Dates are checked at the boundary
 * by one strict RFC 3339 parser, so no driver ever sees an instant it would read differently.
 */
describe('every error in the documented shape', () => {
  let h: Harness;
  let auditor: string;
  let sa: { clientId: string; clientSecret: string };
  const form = (body: string) =>
    h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const json = (method: string, url: string, body: string) =>
    h.gh.app.inject({
      method: method as 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', cookie: h.owner.cookie, 'x-csrf-token': h.owner.csrfToken },
    });

  beforeAll(async () => {
    h = await startHarness();
    sa = await h.createServiceAccount(['audit-log:read']);
    auditor = await h.accessToken(sa.clientId, sa.clientSecret);
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectShape = (res: LightMyRequestResponse, status: number, error = 'invalid_request') => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    expect(body.error).toBe(error);
    expect(body.error_description).toEqual(expect.any(String));
  };

  describe('malformed percent-encoding', () => {
    it.each([
      ['in an API query string', () => h.api('GET', '/api/v1/audit-events?cursor=%E0%A4%A', auditor)],
      ['in an API query filter', () => h.api('GET', '/api/v1/audit-events?action=%zz', auditor)],
      ['that decodes to invalid UTF-8', () => h.api('GET', '/api/v1/audit-events?action=%C0%AF', auditor)],
      ['in a console path', () => h.owner.request('GET', '/console/api/orgs/%zz')],
      ['in a console path with more after it', () => h.owner.request('GET', '/console/api/orgs/%zz/audit-events')],
      ['in a console query string', () => h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?cursor=%`)],
      ['in the token endpoint form body', () => form('grant_type=client_credentials&client_id=%zz&client_secret=x')],
      ['in a form parameter name', () => form('grant_type=client_credentials&%zz=1')],
    ])('%s is 400 invalid_request', async (_label, send) => {
      expectShape(await send(), 400);
    });

    it('well-formed encodings, + for space and = inside values still work', async () => {
      const res = await form(
        `grant_type=client_credentials&client_id=${encodeURIComponent(sa.clientId)}&client_secret=${encodeURIComponent(sa.clientSecret)}&scope=audit-log%3Aread`,
      );
      expect(res.statusCode, res.body).toBe(200);
      expect((await h.api('GET', '/api/v1/audit-events?action=token.grant&limit=1', auditor)).statusCode).toBe(200);
      expect((await h.api('GET', '/api/v1/audit-events?action=token%2Egrant+x&limit=1', auditor)).statusCode).toBe(200);
    });
  });

  describe('dates (strict RFC 3339, one parser)', () => {
    const bad = [
      '2026-01-01T23:59:60Z', // a leap second: 500 on PGlite, 400 on PostgreSQL before
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00',
      'yesterday',
      '0000-01-01T00:00:00Z',
    ];
    it.each(bad)('audit filter from=%s is 400 on the API and in the console', async (date) => {
      expectShape(await h.api('GET', `/api/v1/audit-events?from=${encodeURIComponent(date)}`, auditor), 400);
      expectShape(await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?to=${encodeURIComponent(date)}`), 400);
    });

    it.each(['2027-12-31T23:59:60Z', '2027-02-29T00:00:00Z', '2027-06-31T12:00:00+02:00'])(
      'service-account expiresAt=%s is 400, and nothing is created',
      async (date) => {
        const before = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts?limit=200`)).json().items.length;
        expectShape(
          await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'leap', scopes: ['audit-log:read'], expiresAt: date }),
          400,
        );
        const created = await h.createServiceAccount(['audit-log:read']);
        expectShape(await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${created.clientId}`, { expiresAt: date }), 400);
        const after = (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts?limit=200`)).json().items as Array<{
          expiresAt: string | null;
        }>;
        expect(after.length).toBe(before + 1);
        expect(after.every((a) => a.expiresAt === null)).toBe(true);
      },
    );

    it("a date in a reference-API body (a submission package event's occurredAt) uses the same parser", async () => {
      const writer = await h.createServiceAccount(['governance.submissions:read', 'governance.submissions:write']);
      const token = await h.accessToken(writer.clientId, writer.clientSecret);
      const packages = (await h.api('GET', '/api/v1/governance/submission-packages', token)).json().items as Array<{ id: string }>;
      expect(packages.length).toBeGreaterThan(0);
      const events = `/api/v1/governance/submission-packages/${packages[0]!.id}/events`;
      expectShape(await h.api('POST', events, token, { type: 'note', occurredAt: '2026-01-01T23:59:60Z' }), 400);
      expect((await h.api('POST', events, token, { type: 'note', occurredAt: '2026-01-01T23:59:59Z' })).statusCode).toBe(201);
    });

    it('valid dates, with offsets, fractions and a leap day, filter as the same instants', async () => {
      for (const date of ['2026-06-01T12:00:00Z', '2026-06-01T14:00:00+02:00', '2026-06-01T12:00:00.123456z', '2028-02-29T00:00:00Z']) {
        expect((await h.api('GET', `/api/v1/audit-events?from=${encodeURIComponent(date)}&limit=1`, auditor)).statusCode, date).toBe(200);
      }
      expect(parseTimestamp('2026-06-01T14:00:00+02:00')?.toISOString()).toBe('2026-06-01T12:00:00.000Z');
      expect(parseTimestamp('2026-06-01T07:30:00.5-04:30')?.toISOString()).toBe('2026-06-01T12:00:00.500Z');
      const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, {
        name: 'offset',
        scopes: ['audit-log:read'],
        expiresAt: '2027-01-01T02:00:00+02:00',
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json().clientId as string;
      expect((await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts/${id}`)).json().expiresAt).toBe('2027-01-01T00:00:00.000Z');
    });
  });

  describe('other hostile input', () => {
    it('an unknown, huge query parameter is a 400, not ignored', async () => {
      expectShape(await h.api('GET', `/api/v1/audit-events?junk=${'a'.repeat(12_000)}`, auditor), 400);
      expectShape(await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?junk=${'a'.repeat(12_000)}`), 400);
    });

    it.each([
      ['limit', '/api/v1/audit-events?limit=1&limit=2'],
      ['cursor', '/api/v1/audit-events?cursor=a&cursor=b'],
      ['from', '/api/v1/audit-events?from=2026-01-01T00:00:00Z&from=2026-01-02T00:00:00Z'],
    ])('a repeated %s query parameter is 400', async (_label, url) => {
      expectShape(await h.api('GET', url, auditor), 400);
    });

    it.each([
      ['__proto__', '{"__proto__":{"admin":true},"name":"p","scopes":["audit-log:read"]}'],
      ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}},"name":"p","scopes":["audit-log:read"]}'],
    ])('a JSON body with %s is 400, and nothing is created', async (_label, body) => {
      const list = async () => (await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts?limit=200`)).json().items.length as number;
      const before = await list();
      expectShape(await json('POST', `/console/api/orgs/${h.orgId}/service-accounts`, body), 400);
      expectShape(
        await h.gh.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: body.replace('"name"', '"grant_type":"client_credentials","x"'),
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      expect(await list()).toBe(before);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('a form body naming __proto__ is only a parameter name', async () => {
      const res = await form(`grant_type=client_credentials&__proto__=x&client_id=${sa.clientId}&client_secret=${encodeURIComponent(sa.clientSecret)}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });
  });
});

/** What Node's HTTP parser refuses before Fastify routes anything, over a real socket. */
describe('errors raised before routing, over a real socket', () => {
  let h: Harness & { url: string };
  beforeAll(async () => {
    h = await startListening();
  });
  afterAll(async () => {
    await h?.close();
  });

  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const { port } = new URL(h.url);
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
      let text = '';
      socket
        .setEncoding('utf8')
        .on('data', (d) => {
          text += d;
        })
        .on('close', () => resolve(text))
        .on('error', reject);
    });
  const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, string>;

  it('a URL over the 16 KB header limit is 431 in the documented shape', async () => {
    const res = await fetch(`${h.url}/api/v1/audit-events?junk=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('a request line that is not HTTP is 400 in the documented shape', async () => {
    const response = await raw('GET /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(response)).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });
});
