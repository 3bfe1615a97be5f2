import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

const signIn = (h: Harness, email: string, password: string, ip = '10.0.0.1') =>
  h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email, password }, remoteAddress: ip });

describe('console sign-in (§8)', () => {
  let h: Harness;
  // A realistic scrypt cost, so that skipping it for unknown emails would show in the timing test.
  beforeAll(async () => {
    h = await startHarness({ passwordCost: { logN: 14, r: 8, p: 1 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and returns a CSRF token and memberships', async () => {
    const res = await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/gatehouse_session=ghss_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const body = res.json();
    expect(body.csrfToken).toEqual(expect.any(String));
    expect(body.memberships).toEqual([{ orgId: h.orgId, orgName: 'My organization', role: 'owner' }]);
    expect(res.body).not.toContain(cookie.split(';')[0]!.split('=')[1]);
  });

  it('answers an unknown email exactly as a wrong password (no user enumeration)', async () => {
    const wrong = await signIn(h, ADMIN_EMAIL, 'not the password');
    const unknown = await signIn(h, 'nobody@example.test', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
  });

  it('takes comparable time for an unknown email and a wrong password (both run scrypt)', async () => {
    const time = async (email: string) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) await signIn(h, email, 'wrong password', '10.0.0.9');
      return Number(process.hrtime.bigint() - t) / 5e6;
    };
    await time('warmup@example.test');
    const known = await time(ADMIN_EMAIL);
    const unknown = await time('ghost@example.test');
    // Without the dummy scrypt an unknown email answers in about a tenth of the time.
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(known / unknown).toBeGreaterThan(0.5);
  });

  it('GET /session and /me return the user; sign-out ends the session', async () => {
    const s = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const me = await s.request('GET', '/console/api/me');
    expect(me.json()).toMatchObject({ user: { email: ADMIN_EMAIL }, memberships: [{ role: 'owner' }] });
    expect((await s.request('GET', '/console/api/session')).json().csrfToken).toBe(s.csrfToken);
    expect((await s.request('DELETE', '/console/api/session')).statusCode).toBe(204);
    expect((await s.request('GET', '/console/api/me')).statusCode).toBe(401);
  });

  it('a session expires after 12 hours, however busy [P7]', async () => {
    const s = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    // Used every 20 minutes, so the 30-minute idle timeout never strikes.
    for (let t = 0; t < 12 * 3600 - 1; t += 1200) {
      h.clock.advance(Math.min(1200, 12 * 3600 - 1 - t));
      expect((await s.request('GET', '/console/api/me')).statusCode).toBe(200);
    }
    h.clock.advance(1);
    expect((await s.request('GET', '/console/api/me')).statusCode).toBe(401);
  });

  it('refuses malformed bodies with 400', async () => {
    for (const payload of [{}, { email: ADMIN_EMAIL }, { email: 1, password: 2 }, { email: ADMIN_EMAIL, password: 'x', extra: 1 }]) {
      const res = await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
  });
});

describe('sign-in rate limits: failures per address and per address + email, never per email alone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '3/0.1', GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS: '5/1' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('limits failures per address and email with 429 and Retry-After, right password included, then recovers', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(h, ADMIN_EMAIL, 'wrong', '10.1.0.1')).statusCode).toBe(401);
    const limited = await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD, '10.1.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    expect(limited.json().error).toBe('rate_limited');
    h.clock.advance(10);
    expect((await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD, '10.1.0.1')).statusCode).toBe(200);
  });

  it("an attacker failing under a victim's email from elsewhere cannot lock the victim out of their own address", async () => {
    h.clock.advance(600);
    for (let i = 0; i < 50; i++) await signIn(h, ADMIN_EMAIL.toUpperCase(), `guess${i}`, `203.0.113.${i}`);
    expect((await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.1')).statusCode).toBe(200);
  });

  it('successful sign-ins are not charged', async () => {
    h.clock.advance(600);
    for (let i = 0; i < 10; i++) expect((await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD, '10.3.0.1')).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await signIn(h, ADMIN_EMAIL, 'wrong', '10.3.0.1')).statusCode).toBe(401);
    expect((await signIn(h, ADMIN_EMAIL, 'wrong', '10.3.0.1')).statusCode).toBe(429);
  });

  it('limits failures per address across emails', async () => {
    h.clock.advance(600);
    for (let i = 0; i < 5; i++) expect((await signIn(h, `u${i}@example.test`, 'wrong', '10.2.0.1')).statusCode).toBe(401);
    expect((await signIn(h, 'u9@example.test', 'wrong', '10.2.0.1')).statusCode).toBe(429);
    expect((await signIn(h, 'u9@example.test', 'wrong', '10.2.0.2')).statusCode).toBe(401);
  });
});
