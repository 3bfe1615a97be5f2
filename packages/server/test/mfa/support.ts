import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { ConsoleSession, Harness } from '../support/harness.js';

/** The code an authenticator app shows for `secret` at the harness clock's time, `steps` steps away. */
export function totpCode(h: Harness, secret: string, steps = 0): string {
  const t = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return t.generate({ timestamp: h.clock.now().getTime() + steps * 30_000 });
}

/** Enrols an authenticator app for `session` and confirms it; returns the secret and the recovery codes. */
export async function enrolTotp(h: Harness, session: ConsoleSession): Promise<{ secret: string; recoveryCodes: string[] | null }> {
  const start = await session.request('POST', '/console/api/me/mfa/totp');
  expect(start.statusCode).toBe(201);
  const { secret } = start.json() as { secret: string };
  const confirm = await session.request('POST', '/console/api/me/mfa/totp/confirm', { code: totpCode(h, secret) });
  expect(confirm.statusCode).toBe(200);
  // The confirming code is used: later tests start from the next step.
  h.clock.advance(30);
  return { secret, recoveryCodes: (confirm.json() as { recoveryCodes: string[] | null }).recoveryCodes };
}

export const cookieNamed = (res: LightMyRequestResponse, name: string): string | undefined => {
  const c = res.cookies.find((x) => x.name === name && x.value !== '');
  return c ? `${c.name}=${c.value}` : undefined;
};

/** Password step: the response and the pending-MFA cookie (if any). */
export async function passwordStep(h: Harness, email: string, password: string) {
  const res = await h.gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email, password } });
  return { res, pending: cookieNamed(res, 'gatehouse_mfa') };
}

export const mfaStep = (h: Harness, pending: string | undefined, body: unknown) =>
  h.gh.app.inject({ method: 'POST', url: '/console/api/session/mfa', headers: pending ? { cookie: pending } : {}, payload: body as object });

/** A console session from the cookie and CSRF token the MFA step answered with. */
export function sessionFrom(h: Harness, res: LightMyRequestResponse): ConsoleSession {
  const cookie = cookieNamed(res, 'gatehouse_session');
  if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
  const body = res.json() as { csrfToken: string; user: { id: string } };
  return {
    cookie,
    csrfToken: body.csrfToken,
    userId: body.user.id,
    request: (method, url, payload, opts = {}) =>
      h.gh.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie, ...(opts.csrf === false ? {} : { 'x-csrf-token': body.csrfToken }) },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      }),
  };
}
