import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';
import { enrolTotp, mfaStep, passwordStep, sessionFrom, totpCode } from './support.js';

/** §11 [P6]: TOTP (RFC 6238), recovery codes and the second step of signing in. */
describe('second factor: TOTP and recovery codes', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('enrolment shows the secret and an otpauth:// URI once; it counts only once confirmed with a code', async () => {
    h = await startHarness();
    const start = await h.owner.request('POST', '/console/api/me/mfa/totp');
    expect(start.statusCode).toBe(201);
    expect(start.headers['cache-control']).toBe('no-store');
    const { secret, uri } = start.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toMatch(new RegExp(`^otpauth://totp/Gatehouse:owner%40example\\.test\\?.*secret=${secret}`));
    // Not confirmed: signing in still needs only the password.
    expect((await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD)).res.json()).toHaveProperty('csrfToken');
    expect((await h.owner.request('GET', '/console/api/me/mfa')).json()).toEqual({ totp: false, passkeys: [], recoveryCodesLeft: 0 });

    const wrong = await h.owner.request('POST', '/console/api/me/mfa/totp/confirm', { code: totpCode(h, secret, 5) });
    expect(wrong.statusCode).toBe(400);
    const ok = await h.owner.request('POST', '/console/api/me/mfa/totp/confirm', { code: totpCode(h, secret) });
    expect(ok.statusCode).toBe(200);
    const { recoveryCodes } = ok.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await h.owner.request('GET', '/console/api/me/mfa')).json()).toEqual({ totp: true, passkeys: [], recoveryCodesLeft: 10 });
    // A second enrolment while one is confirmed is refused (remove it first).
    expect((await h.owner.request('POST', '/console/api/me/mfa/totp')).statusCode).toBe(409);
    // The secret is stored encrypted: not in any column as it was shown.
    const rows = await h.gh.db.query<{ secret_enc: string }>('SELECT secret_enc FROM mfa_totp');
    expect(rows[0]!.secret_enc).not.toContain(secret);
    expect(rows[0]!.secret_enc.startsWith('v1.')).toBe(true);
  });

  it('with TOTP enrolled, the password gives only a pending step; every console call is 401 until a code is accepted', async () => {
    h = await startHarness();
    const { secret } = await enrolTotp(h, h.owner);
    const { res, pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ mfaRequired: true, methods: ['totp', 'recovery'] });
    expect(res.cookies.find((c) => c.name === 'gatehouse_session')).toBeUndefined();
    expect(pending).toMatch(/^gatehouse_mfa=ghmfa_/);
    // The pending cookie opens nothing else.
    for (const url of ['/console/api/session', '/console/api/me', `/console/api/orgs/${h.orgId}`, '/console/api/me/mfa']) {
      const r = await h.gh.app.inject({ method: 'GET', url, headers: { cookie: pending! } });
      expect(r.statusCode, url).toBe(401);
    }
    // Without the pending cookie the step is refused.
    expect((await mfaStep(h, undefined, { method: 'totp', code: totpCode(h, secret) })).statusCode).toBe(401);

    const wrong = await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret, 3) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('unauthenticated');

    const done = await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret) });
    expect(done.statusCode).toBe(200);
    const session = sessionFrom(h, done);
    expect((await session.request('GET', '/console/api/me')).statusCode).toBe(200);
    // The pending step is used up.
    expect((await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret, 1) })).statusCode).toBe(401);

    const actions = (
      await h.gh.db.query<{ action: string; outcome: string }>("SELECT action, outcome FROM audit_events WHERE action LIKE '%mfa%' ORDER BY id")
    ).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(['user.mfa_enrol:success', 'session.mfa_failure:failure', 'session.mfa_success:success']);
  });

  it('accepts codes one step either side, not two; a code accepted once is refused again within its window', async () => {
    h = await startHarness();
    const { secret } = await enrolTotp(h, h.owner);
    const signInWith = async (code: string) => {
      const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      return (await mfaStep(h, pending, { method: 'totp', code })).statusCode;
    };
    h.clock.advance(60); // past the step the enrolment's confirming code used
    expect(await signInWith(totpCode(h, secret, 2))).toBe(401);
    expect(await signInWith(totpCode(h, secret, -2))).toBe(401);
    const previous = totpCode(h, secret, -1);
    expect(await signInWith(previous)).toBe(200);
    // Replay of the same code: refused, though the clock has not moved.
    expect(await signInWith(previous)).toBe(401);
    // An older step than the last one used is refused too.
    h.clock.advance(30);
    expect(await signInWith(totpCode(h, secret, -2))).toBe(401);
    const now = totpCode(h, secret);
    expect(await signInWith(now)).toBe(200);
    expect(await signInWith(now)).toBe(401);
    h.clock.advance(30); // the same code, now one step in the past: still used
    expect(await signInWith(now)).toBe(401);
    expect(await signInWith(totpCode(h, secret, 1))).toBe(200);
  });

  it('after 5 wrong codes the pending step is gone and the password must be given again', async () => {
    h = await startHarness();
    const { secret } = await enrolTotp(h, h.owner);
    const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    for (let i = 0; i < 5; i++) expect((await mfaStep(h, pending, { method: 'totp', code: '000000' })).statusCode).toBe(401);
    expect((await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret) })).statusCode).toBe(401);
    // Across pending steps the person's wrong codes are limited too: 10 in 15 minutes, then 429.
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++) {
      const again = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      status = (await mfaStep(h, again.pending, { method: 'totp', code: '000000' })).statusCode;
    }
    expect(status).toBe(429);
    h.clock.advance(900);
    const fresh = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect((await mfaStep(h, fresh.pending, { method: 'totp', code: totpCode(h, secret) })).statusCode).toBe(200);
  });

  it('the pending step expires after 5 minutes', async () => {
    h = await startHarness();
    const { secret } = await enrolTotp(h, h.owner);
    const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    h.clock.advance(301);
    expect((await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret) })).statusCode).toBe(401);
  });

  it('a recovery code signs in once; codes can be regenerated, which voids the old ones; they are stored hashed', async () => {
    h = await startHarness();
    const { recoveryCodes } = await enrolTotp(h, h.owner);
    const [first, second] = recoveryCodes!;
    const withCode = async (code: string) => {
      const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      return mfaStep(h, pending, { method: 'recovery', code });
    };
    const ok = await withCode(first!.toUpperCase().replace('-', ' '));
    expect(ok.statusCode).toBe(200);
    expect((await withCode(first!)).statusCode).toBe(401);
    const session = sessionFrom(h, ok);
    expect((await session.request('GET', '/console/api/me/mfa')).json().recoveryCodesLeft).toBe(9);
    const rows = await h.gh.db.query<{ code_hash: string }>('SELECT code_hash FROM mfa_recovery_codes');
    expect(rows.some((r) => r.code_hash.includes(second!) || r.code_hash.includes(second!.replace('-', '')))).toBe(false);

    const regen = await session.request('POST', '/console/api/me/mfa/recovery-codes');
    expect(regen.statusCode).toBe(200);
    expect(regen.json().recoveryCodes).toHaveLength(10);
    expect((await withCode(second!)).statusCode).toBe(401);
    expect((await withCode(regen.json().recoveryCodes[0])).statusCode).toBe(200);
  });

  it('removing the factor (and with it the recovery codes) makes the password enough again; audited', async () => {
    h = await startHarness();
    await enrolTotp(h, h.owner);
    expect((await h.owner.request('DELETE', '/console/api/me/mfa/totp', undefined, { csrf: false })).statusCode).toBe(403);
    expect((await h.owner.request('DELETE', '/console/api/me/mfa/totp')).statusCode).toBe(204);
    expect((await h.owner.request('DELETE', '/console/api/me/mfa/totp')).statusCode).toBe(404);
    expect((await h.owner.request('GET', '/console/api/me/mfa')).json()).toEqual({ totp: false, passkeys: [], recoveryCodesLeft: 0 });
    expect((await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD)).res.json()).toHaveProperty('csrfToken');
    expect((await h.owner.request('POST', '/console/api/me/mfa/recovery-codes')).statusCode).toBe(409);
    const rows = await h.gh.db.query<{ action: string }>("SELECT action FROM audit_events WHERE action = 'user.mfa_remove'");
    expect(rows).toHaveLength(1);
  });

  it('bad input is a 400 and changes nothing', async () => {
    h = await startHarness();
    const { secret } = await enrolTotp(h, h.owner);
    const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    for (const body of [{}, { method: 'sms', code: '1' }, { method: 'totp' }, { method: 'totp', code: '123456', extra: 1 }]) {
      const r = await mfaStep(h, pending, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json()).toHaveProperty('error_description');
    }
    // None of those counted as a failure.
    expect((await mfaStep(h, pending, { method: 'totp', code: totpCode(h, secret) })).statusCode).toBe(200);
  });
});
