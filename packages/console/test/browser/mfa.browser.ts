import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, freePort, ManualClock, startHarness, totpCode } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { openPage, shot, type Listening } from './support/console-page.js';
import { seeText } from './support/see.js';

/**
 * §11 [P6] second factors through the console in headless Chromium: an authenticator app, a passkey
 * on Chromium's virtual authenticator (CDP WebAuthn domain), and an organization's requirement.
 * WebAuthn needs a secure context and a domain as RP ID: the issuer is http://localhost:PORT.
 */
describe.skipIf(!hasChromium)('console: second factors', () => {
  let h: Listening;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let errors: string[];

  beforeAll(async () => {
    ensureConsoleBuilt();
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const harness = await startHarness({ clock: new ManualClock(new Date()), env: { GATEHOUSE_ISSUER: url } });
    await harness.gh.app.listen({ port, host: '127.0.0.1' });
    h = Object.assign(harness, { url });
    browser = await launch();
    ({ page, errors } = await openPage(browser, h));
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const passwordStep = async (p: Page, email = ADMIN_EMAIL) => {
    await p.goto('/');
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(ADMIN_PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  };

  it('enrols an authenticator app (manual key), shows the recovery codes once, and signs in with a code', async () => {
    await passwordStep(page);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.getByRole('link', { name: 'Security' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Security');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await seeText(page.getByTestId('totp-uri'), 'otpauth://totp/');
    await page.getByLabel('Code', { exact: true }).fill(totpCode(h, secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await seeText(page.getByRole('note'), 'You will not see them again');
    const codes = (await page.getByTestId('recovery-codes').textContent())!.split('\n');
    expect(codes).toHaveLength(10);
    await shot(page, '30-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await seeText(page.getByRole('region', { name: 'Authenticator app' }), 'On');

    await signOut();
    h.clock.advance(30);
    await passwordStep(page);
    await seeText(page.getByRole('heading', { level: 1 }), 'Confirm it is you');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await seeText(page.getByRole('alert'), 'That was not accepted');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(h, secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    expect(errors).toEqual([]);
  });

  it("registers a passkey on Chromium's virtual authenticator and signs in with it", async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByLabel('Name (optional)').fill('Virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await seeText(page.getByRole('region', { name: 'Passkeys' }), 'Virtual key');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);

    await signOut();
    await passwordStep(page);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.getByRole('link', { name: 'Security' }).click();
    await seeText(page.getByRole('region', { name: 'Passkeys' }), 'last used');
    expect(errors).toEqual([]);
  });

  it('an organization requiring a second factor sends an admin without one to enrolment', async () => {
    const admin = await h.addUser('admin');
    await page.getByRole('link', { name: 'Security' }).click();
    // A controlled checkbox: it shows the new state once the server has answered, so click, then wait for the server.
    await page.getByLabel(/Require a second factor of owners and admins/).click();
    await expect.poll(async () => (await h.owner.request('GET', `/console/api/orgs/${h.orgId}`)).json().requireMfaForAdmins).toBe(true);

    const other = await openPage(browser, h);
    await passwordStep(other.page, admin.email);
    await seeText(other.page.getByRole('heading', { level: 1 }), 'Security');
    expect(new URL(other.page.url()).pathname).toBe('/security');
    await seeText(other.page.getByRole('alert').first(), 'Your organization requires a second factor');
    await shot(other.page, '31-enrolment-required');
    await other.context.close();
  });
});
