import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ISSUER, startHarness, type ConsoleSession, type Harness } from '../support/harness.js';
import { SoftAuthenticator } from './soft-authenticator.js';
import { cookieNamed, mfaStep, passwordStep, sessionFrom } from './support.js';

/** §11 [P6]: passkeys (WebAuthn), driven over HTTP by a software authenticator. */
describe('second factor: passkeys', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const register = async (session: ConsoleSession, authenticator: SoftAuthenticator, name = 'Laptop') => {
    const options = await session.request('POST', '/console/api/me/mfa/passkeys/options');
    expect(options.statusCode).toBe(200);
    return session.request('POST', '/console/api/me/mfa/passkeys', { response: authenticator.register(options.json()), name });
  };
  const passkeyOptions = (pending: string | undefined) =>
    h.gh.app.inject({ method: 'POST', url: '/console/api/session/mfa/passkey-options', headers: pending ? { cookie: pending } : {} });

  it('registers a passkey (RP ID and origin from the issuer), lists it, and signs in with it; counter and flags stored', async () => {
    h = await startHarness();
    const key = new SoftAuthenticator(ISSUER);
    const options = (await h.owner.request('POST', '/console/api/me/mfa/passkeys/options')).json();
    expect(options.rp).toEqual({ id: 'gatehouse.test', name: 'Gatehouse' });
    const reg = await h.owner.request('POST', '/console/api/me/mfa/passkeys', { response: key.register(options), name: 'Laptop' });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toEqual({ id: key.id, name: 'Laptop', recoveryCodes: expect.any(Array) });
    expect(reg.json().recoveryCodes).toHaveLength(10);
    // The challenge was single use: the same response again is refused.
    expect((await h.owner.request('POST', '/console/api/me/mfa/passkeys', { response: key.register(options) })).statusCode).toBe(400);
    const status = (await h.owner.request('GET', '/console/api/me/mfa')).json();
    expect(status.passkeys).toEqual([{ id: key.id, name: 'Laptop', createdAt: '2026-06-01T12:00:00.000Z', lastUsedAt: null, backedUp: false }]);

    const { res, pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.json()).toEqual({ mfaRequired: true, methods: ['passkey', 'recovery'] });
    const authOptions = await passkeyOptions(pending);
    expect(authOptions.statusCode).toBe(200);
    expect(authOptions.json().allowCredentials).toEqual([{ id: key.id, type: 'public-key', transports: ['internal'] }]);
    h.clock.advance(10);
    const done = await mfaStep(h, pending, { method: 'passkey', response: key.authenticate(authOptions.json()) });
    expect(done.statusCode).toBe(200);
    expect(cookieNamed(done, 'gatehouse_session')).toBeDefined();
    const session = sessionFrom(h, done);
    const after = (await session.request('GET', '/console/api/me/mfa')).json();
    expect(after.passkeys[0].lastUsedAt).toBe('2026-06-01T12:00:10.000Z');
    const rows = await h.gh.db.query<{ counter: string | number; device_type: string }>('SELECT counter, device_type FROM mfa_passkeys');
    expect(Number(rows[0]!.counter)).toBe(1);
    expect(rows[0]!.device_type).toBe('singleDevice');
  });

  it('refuses an assertion from another origin, an expired or reused challenge, a cloned (stale) counter, or another key', async () => {
    h = await startHarness();
    const key = new SoftAuthenticator(ISSUER);
    expect((await register(h.owner, key)).statusCode).toBe(201);
    const attempt = async (make: (options: { challenge: string }) => unknown, advance = 0) => {
      const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      const options = (await passkeyOptions(pending)).json();
      h.clock.advance(advance);
      return (await mfaStep(h, pending, { method: 'passkey', response: make(options) })).statusCode;
    };
    expect(await attempt((o) => key.authenticate(o, { origin: 'https://evil.test' }))).toBe(401);
    expect(await attempt((o) => key.authenticate(o), 121)).toBe(401);
    expect(await attempt((o) => new SoftAuthenticator(ISSUER).authenticate(o))).toBe(401);
    expect(await attempt((o) => key.authenticate(o, { counter: 5 }))).toBe(200);
    expect(await attempt((o) => key.authenticate(o, { counter: 3 }))).toBe(401);
    // A challenge is single use, even for a valid assertion.
    const { pending } = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    const options = (await passkeyOptions(pending)).json();
    expect((await mfaStep(h, pending, { method: 'passkey', response: key.authenticate(options, { counter: 6 }) })).statusCode).toBe(200);
    const again = await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect((await mfaStep(h, again.pending, { method: 'passkey', response: key.authenticate(options, { counter: 7 }) })).statusCode).toBe(401);
    // Without a pending sign-in there are no options.
    expect((await passkeyOptions(undefined)).statusCode).toBe(401);
  });

  it('a registration with an expired challenge or from another origin is refused; a passkey can be removed', async () => {
    h = await startHarness();
    const options = (await h.owner.request('POST', '/console/api/me/mfa/passkeys/options')).json();
    h.clock.advance(121);
    expect((await h.owner.request('POST', '/console/api/me/mfa/passkeys', { response: new SoftAuthenticator(ISSUER).register(options) })).statusCode).toBe(400);
    const phished = (await h.owner.request('POST', '/console/api/me/mfa/passkeys/options')).json();
    expect(
      (await h.owner.request('POST', '/console/api/me/mfa/passkeys', { response: new SoftAuthenticator('https://evil.test').register(phished) })).statusCode,
    ).toBe(400);
    expect((await h.owner.request('GET', '/console/api/me/mfa')).json().passkeys).toEqual([]);

    const key = new SoftAuthenticator(ISSUER);
    expect((await register(h.owner, key)).statusCode).toBe(201);
    const other = await h.addUser('admin');
    expect((await other.request('DELETE', `/console/api/me/mfa/passkeys/${key.id}`)).statusCode).toBe(404);
    expect((await h.owner.request('DELETE', `/console/api/me/mfa/passkeys/${key.id}`)).statusCode).toBe(204);
    expect((await passwordStep(h, ADMIN_EMAIL, ADMIN_PASSWORD)).res.json()).toHaveProperty('csrfToken');
  });
});
