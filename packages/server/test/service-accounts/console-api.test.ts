import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

/** §8 service-account resource: who may call it, CSRF, validation, paging. */
describe('console API: service accounts', () => {
  let h: Harness;
  const base = () => `/console/api/orgs/${h.orgId}/service-accounts`;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('who may manage service accounts', () => {
    let existing: string;
    const calls = (id: string): Array<[string, string, unknown?]> => [
      ['GET', ''],
      ['POST', '', { name: 'x', scopes: ['assets:read'] }],
      ['GET', `/${id}`],
      ['PATCH', `/${id}`, { name: 'renamed' }],
      ['POST', `/${id}/rotate-secret`, {}],
      ['POST', `/${id}/disable`],
      ['POST', `/${id}/enable`],
      ['DELETE', `/${id}`],
    ];
    beforeAll(async () => {
      existing = (await h.createServiceAccount(['assets:read'])).clientId;
    });

    it.each([
      ['admin', 0],
      ['member', 403],
      ['viewer', 403],
    ] as const)('a %s gets %s', async (role, status) => {
      const user = await h.addUser(role);
      for (const [method, suffix, body] of calls(existing).slice(0, 5)) {
        const res = await user.request(method, base() + suffix, body);
        if (status) {
          expect(res.statusCode, `${method} ${suffix}`).toBe(status);
          expect(res.json().error).toBe('forbidden');
        } else {
          expect(res.statusCode, `${method} ${suffix}`).toBeLessThan(300);
        }
      }
    });

    it('someone with no role in the organization gets 404 for all of it, and nothing changes', async () => {
      const otherOrg = await h.createOrg();
      const outsider = await h.addUser('owner', otherOrg);
      const before = (await h.owner.request('GET', `${base()}/${existing}`)).json();
      for (const [method, suffix, body] of calls(existing)) {
        const res = await outsider.request(method, base() + suffix, body);
        expect(res.statusCode, `${method} ${suffix}`).toBe(404);
      }
      expect((await h.owner.request('GET', `${base()}/${existing}`)).json()).toEqual(before);
    });

    it('an account of organization A cannot be reached through organization B', async () => {
      const orgB = await h.createOrg();
      const res = await h.owner.request('GET', `/console/api/orgs/${orgB}/service-accounts/${existing}`);
      expect(res.statusCode).toBe(404);
      const disable = await h.owner.request('POST', `/console/api/orgs/${orgB}/service-accounts/${existing}/disable`);
      expect(disable.statusCode).toBe(404);
    });
  });

  describe('sessions and CSRF', () => {
    it('refuses every call without a session, before looking at the body', async () => {
      const res = await h.gh.app.inject({ method: 'GET', url: base() });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('unauthenticated');
      const bad = await h.gh.app.inject({ method: 'POST', url: base(), headers: { 'content-type': 'application/json' }, payload: '{not json' });
      expect(bad.statusCode).toBe(401);
    });

    it("refuses a state-changing call without the CSRF header, or with another session's, and changes nothing", async () => {
      const before = (await h.owner.request('GET', base())).json().items.length;
      const noCsrf = await h.owner.request('POST', base(), { name: 'x', scopes: ['assets:read'] }, { csrf: false });
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json().error).toBe('csrf_token_invalid');
      const other: ConsoleSession = await h.addUser('admin');
      const crossed = await h.gh.app.inject({
        method: 'POST',
        url: base(),
        payload: { name: 'x', scopes: ['assets:read'] },
        headers: { cookie: h.owner.cookie, 'x-csrf-token': other.csrfToken },
      });
      expect(crossed.statusCode).toBe(403);
      expect((await h.owner.request('GET', base())).json().items.length).toBe(before);
    });

    it('refuses a bearer token on the console API', async () => {
      const { clientId, clientSecret } = await h.createServiceAccount(['assets:read']);
      const token = await h.accessToken(clientId, clientSecret);
      const res = await h.api('GET', base(), token);
      expect(res.statusCode).toBe(401);
    });
  });

  describe('validation', () => {
    it.each([
      ['no scopes', { name: 'x', scopes: [] }],
      ['a scope outside the catalogue', { name: 'x', scopes: ['assets:read', 'admin:everything'] }],
      ['an empty name', { name: '', scopes: ['assets:read'] }],
      ['a blank name', { name: '   ', scopes: ['assets:read'] }],
      ['a name of 101 characters', { name: 'n'.repeat(101), scopes: ['assets:read'] }],
      ['an unknown field', { name: 'x', scopes: ['assets:read'], admin: true }],
      ['an expiry in the past', { name: 'x', scopes: ['assets:read'], expiresAt: '2020-01-01T00:00:00Z' }],
      ['an expiry that is not a date', { name: 'x', scopes: ['assets:read'], expiresAt: 'tomorrow' }],
      ['scopes that are not a list', { name: 'x', scopes: 'assets:read' }],
    ])('refuses %s with 400 and creates nothing', async (_label, body) => {
      const before = (await h.owner.request('GET', base())).json().items.length;
      const res = await h.owner.request('POST', base(), body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(typeof res.json().error_description).toBe('string');
      expect((await h.owner.request('GET', base())).json().items.length).toBe(before);
    });

    it('refuses malformed JSON and a wrong content type with a JSON error', async () => {
      const headers = { cookie: h.owner.cookie, 'x-csrf-token': h.owner.csrfToken };
      const bad = await h.gh.app.inject({ method: 'POST', url: base(), headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toBe('invalid_request');
      const form = await h.gh.app.inject({ method: 'POST', url: base(), headers: { ...headers, 'content-type': 'text/plain' }, payload: 'name=x' });
      expect(form.statusCode).toBe(415);
      expect(form.json().error).toBe('unsupported_media_type');
    });

    it('an update narrows only what it names, and refuses unknown scopes without changing anything', async () => {
      const { clientId } = await h.createServiceAccount(['assets:read', 'audit-log:read']);
      const bad = await h.owner.request('PATCH', `${base()}/${clientId}`, { scopes: ['nope:read'] });
      expect(bad.statusCode).toBe(400);
      const ok = await h.owner.request('PATCH', `${base()}/${clientId}`, { name: 'Renamed' });
      expect(ok.json()).toMatchObject({ name: 'Renamed', scopes: ['assets:read', 'audit-log:read'] });
      const cleared = await h.owner.request('PATCH', `${base()}/${clientId}`, { expiresAt: '2030-01-01T00:00:00.000Z' });
      expect(cleared.json().expiresAt).toBe('2030-01-01T00:00:00.000Z');
    });

    it('answers 404 for an unknown id and for a malformed organization id', async () => {
      expect((await h.owner.request('GET', `${base()}/svc_01EXAMPLE00000000000000000`)).statusCode).toBe(404);
      expect((await h.owner.request('GET', '/console/api/orgs/not-an-org/service-accounts')).statusCode).toBe(400);
    });
  });

  it('lists with opaque cursors, and refuses a tampered one', async () => {
    const org = await h.createOrg('Paging org');
    for (let i = 0; i < 5; i++) await h.createServiceAccount(['assets:read'], { name: `sa ${i}` }, org);
    const url = `/console/api/orgs/${org}/service-accounts`;
    const first = (await h.owner.request('GET', `${url}?limit=2`)).json();
    expect(first.items.map((a: { name: string }) => a.name)).toEqual(['sa 0', 'sa 1']);
    const second = (await h.owner.request('GET', `${url}?limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await h.owner.request('GET', `${url}?limit=2&cursor=${second.nextCursor}`)).json();
    expect(third.items.map((a: { name: string }) => a.name)).toEqual(['sa 4']);
    expect(third.nextCursor).toBeNull();
    const tampered = first.nextCursor.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'));
    const res = await h.owner.request('GET', `${url}?cursor=${tampered}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_cursor');
    const foreign = await h.owner.request('GET', `${base()}?cursor=${first.nextCursor}`);
    expect(foreign.statusCode).toBe(400);
  });

  it('shows last token issued once a token is granted', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['assets:read']);
    expect((await h.owner.request('GET', `${base()}/${clientId}`)).json().lastTokenIssuedAt).toBeNull();
    await h.accessToken(clientId, clientSecret);
    expect((await h.owner.request('GET', `${base()}/${clientId}`)).json().lastTokenIssuedAt).toBe(h.clock.now().toISOString());
  });
});
