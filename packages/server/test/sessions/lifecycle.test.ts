import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ISSUER, startHarness, type Harness } from '../support/harness.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const signInAs = (h: Harness, headers: Record<string, string> = {}, issuer = ISSUER) =>
  h.gh.app.inject({
    method: 'POST',
    url: '/console/api/session',
    headers: { origin: issuer, ...headers },
    payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });

/** §11 [P7]: console sessions end when idle or old, are listed, can be ended; the cookie; login CSRF. */
describe('console sessions', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('ends after 30 idle minutes, and each use moves the idle clock on; never lives past 12 hours', async () => {
    h = await startHarness({ env: { GATEHOUSE_SESSION_IDLE_MINUTES: '30' } });
    const me = () => h!.owner.request('GET', '/console/api/me');
    for (let i = 0; i < 26; i++) {
      h.clock.advance(29 * 60); // 26 × 29 min > 12 h: used all along, it still ends at 12 h
      const res = await me();
      if (i < 24) expect(res.statusCode, `after ${(i + 1) * 29} minutes`).toBe(200);
      else expect(res.statusCode, `after ${(i + 1) * 29} minutes`).toBe(401);
    }
    const fresh = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    h.clock.advance(30 * 60 - 1);
    expect((await fresh.request('GET', '/console/api/me')).statusCode).toBe(200);
    h.clock.advance(30 * 60);
    const idle = await fresh.request('GET', '/console/api/me');
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error).toBe('unauthenticated');
  });

  it('GATEHOUSE_SESSION_IDLE_MINUTES sets the idle timeout', async () => {
    h = await startHarness({ env: { GATEHOUSE_SESSION_IDLE_MINUTES: '5' } });
    h.clock.advance(5 * 60);
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(401);
  });

  it('lists the sessions with device, address, last seen and the current one; ends one, then all others', async () => {
    h = await startHarness();
    const laptop = await signInAs(h, { 'user-agent': FIREFOX });
    expect(laptop.statusCode).toBe(200);
    const laptopCookie = String(laptop.headers['set-cookie']).split(';')[0]!;
    const phone = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    h.clock.advance(5 * 60);
    const list = await h.owner.request('GET', '/console/api/me/sessions');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Array<{ id: string; device: string; address: string; lastSeenAt: string; current: boolean }>;
    expect(items).toHaveLength(3);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    expect(items.find((s) => s.device === 'Firefox on Linux')).toMatchObject({ address: '127.0.0.1', current: false });
    expect(items.find((s) => s.current)!.lastSeenAt).toBe('2026-06-01T12:05:00.000Z');
    expect(list.body).not.toMatch(/ghss_/); // the cookie value never leaves in a list

    const firefox = items.find((s) => s.device === 'Firefox on Linux')!;
    expect((await h.owner.request('DELETE', `/console/api/me/sessions/${firefox.id}`)).statusCode).toBe(204);
    const gone = await h.gh.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: laptopCookie } });
    expect(gone.statusCode).toBe(401);
    // Someone else's session id is not found, and ends nothing.
    const other = await h.addUser('viewer');
    const current = items.find((s) => s.current)!;
    expect((await other.request('DELETE', `/console/api/me/sessions/${current.id}`)).statusCode).toBe(404);
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(200);

    expect((await h.owner.request('DELETE', '/console/api/me/sessions')).statusCode).toBe(204);
    expect((await phone.request('GET', '/console/api/me')).statusCode).toBe(401);
    expect((await h.owner.request('GET', '/console/api/me')).statusCode).toBe(200);
    expect((await h.owner.request('GET', '/console/api/me/sessions')).json().items).toHaveLength(1);
    expect((await other.request('GET', '/console/api/me')).statusCode).toBe(200); // another person's sessions live on
  });

  it('login CSRF: a cross-site sign-in is refused (Origin, Sec-Fetch-Site) and starts no session', async () => {
    h = await startHarness();
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
      const res = await h.gh.app.inject({ method: 'POST', url: '/console/api/session', headers, payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // Same origin, same site, or a non-browser client without either header: signed in.
    expect((await signInAs(h, { 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect((await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).statusCode).toBe(
      200,
    );
    // Accepting an invitation and resetting a password sign people in too: refused cross-site as well.
    for (const url of ['/console/api/invitations/ghinv_x/accept', '/console/api/password-reset']) {
      const res = await h.gh.app.inject({
        method: 'POST',
        url,
        headers: { origin: 'https://evil.example' },
        payload: url.endsWith('reset') ? { email: ADMIN_EMAIL } : {},
      });
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('over https the cookie is __Host- prefixed: Secure, Path=/, no Domain', async () => {
    h = await startHarness({ env: { GATEHOUSE_ISSUER: 'https://gatehouse.example' } });
    const res = await signInAs(h, {}, 'https://gatehouse.example');
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-gatehouse_session=ghss_/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Domain=/i);
    const value = cookie.split(';')[0]!;
    expect((await h.gh.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: value } })).statusCode).toBe(200);
    // The unprefixed name is not honoured: a sibling host could have planted it.
    const planted = value.replace('__Host-', '');
    expect((await h.gh.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: planted } })).statusCode).toBe(401);
  });
});
