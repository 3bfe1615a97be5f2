import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startListening } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { apiGet, clientCredentials, openPage, shot, signIn, type Listening } from './support/console-page.js';
import { seeCount, seeFocused, seeText, seeValue, seeVisible } from './support/see.js';

/** Sign-in and Developers → API → Credentials, end to end in headless Chromium ([A1]-[A9] via the UI). */
describe.skipIf(!hasChromium)('console: sign in and service accounts', () => {
  let h: Listening;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let clientId = '';
  let secret = '';

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startListening();
    browser = await launch();
    ({ page, errors } = await openPage(browser, h));
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("refuses a wrong password with an explanation, then signs in to the organization's URL", async () => {
    await page.goto('/');
    await expect.poll(() => page.title()).toContain('Sign in');
    await shot(page, '01-sign-in');
    await page.getByLabel('Email').fill('owner@example.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await seeText(page.getByRole('alert'), 'Email or password is wrong');
    await signIn(page);
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/orgs/${h.orgId}/developers/api/credentials`);
    await seeText(page.getByRole('heading', { level: 1 }), 'Credentials');
    await seeValue(page.getByLabel('Organization', { exact: true }), h.orgId);
  });

  it('creates a service account with only the picked scopes; the secret works at the token endpoint', async () => {
    await page.getByRole('button', { name: 'Create service account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create service account' });
    await seeFocused(dialog.getByLabel('Name'));
    // Nothing is pre-selected: least privilege is the default.
    await seeVisible(dialog.getByText('0 selected'));
    await dialog.getByLabel('Name').fill('ServiceNow Findings Sync');
    await dialog.getByLabel('governance.findings:read').check();
    await dialog.getByLabel('governance.findings:write').check();
    await shot(page, '03-create-service-account');
    await dialog.getByRole('button', { name: 'Create service account' }).click();

    const reveal = page.getByRole('dialog', { name: /is ready/ });
    await seeText(reveal, 'You will not see it again');
    clientId = (await reveal.getByTestId('reveal-client-id').textContent())!;
    secret = (await reveal.getByTestId('reveal-client-secret').textContent())!;
    expect(clientId).toMatch(/^svc_/);
    await shot(page, '04-secret-reveal');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    await reveal.getByRole('button', { name: 'Copy Client secret' }).click();
    await seeText(reveal.getByRole('button', { name: 'Copy Client secret' }), 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const token = await clientCredentials(h, clientId, secret);
    expect(token.status).toBe(200);
    expect(token.json.scope).toBe('governance.findings:read governance.findings:write');
  });

  it('never shows the secret again once the dialog is closed', async () => {
    await page.getByRole('button', { name: 'I have stored it, close' }).click();
    await seeCount(page.getByRole('dialog'), 0);
    const row = page.getByRole('row', { name: /ServiceNow Findings Sync/ });
    await seeText(row, clientId);
    await seeText(row, 'Active');
    await shot(page, '02-credentials');
    expect(await page.content()).not.toContain(secret);
    await row.getByRole('link', { name: 'ServiceNow Findings Sync' }).click();
    await seeText(page.getByTestId('client-id'), clientId);
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await seeText(page.getByTestId('client-id'), clientId);
    expect(await page.content()).not.toContain(secret);
    await shot(page, '05-service-account');
  });

  it('rotates with the default grace: the new secret works and the old one stops when it says', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog', { name: /Rotate the secret/ });
    await seeText(dialog, 'After 60 seconds');
    await seeText(dialog, 'stops working 1 minute after you rotate');
    await shot(page, '06-rotate');
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const reveal = page.getByRole('dialog', { name: 'New client secret' });
    const next = (await reveal.getByTestId('reveal-client-secret').textContent())!;
    expect(next).not.toBe(secret);
    await seeText(reveal.getByTestId('previous-secret-stops'), 'The previous secret stops working at');
    expect((await clientCredentials(h, clientId, next)).status).toBe(200);
    expect((await clientCredentials(h, clientId, secret)).status).toBe(200); // within the grace window
    h.clock.advance(61);
    expect((await clientCredentials(h, clientId, secret)).status).toBe(401);
    await reveal.getByRole('button', { name: 'I have stored it, close' }).click();
    secret = next;
  });

  it('disables after a confirmation that says live tokens die at once, and a live token fails', async () => {
    const token = (await clientCredentials(h, clientId, secret)).json.access_token as string;
    expect(await apiGet(h, '/api/v1/governance/findings', token)).toBe(200);
    await page.getByRole('button', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: /Disable/ });
    await seeText(confirm, 'Live tokens die at once');
    await shot(page, '07-disable-confirm');
    await confirm.getByRole('button', { name: 'Disable now' }).click();
    await seeCount(page.getByRole('dialog'), 0);
    await seeVisible(page.getByText('Disabled', { exact: true }).first());
    expect(await apiGet(h, '/api/v1/governance/findings', token)).toBe(401);
    expect((await clientCredentials(h, clientId, secret)).status).toBe(401);

    await page.getByRole('button', { name: 'Enable' }).click();
    await page
      .getByRole('dialog', { name: /Enable/ })
      .getByRole('button', { name: 'Enable' })
      .click();
    await seeVisible(page.getByText('Active', { exact: true }));
    expect(await apiGet(h, '/api/v1/governance/findings', token)).toBe(401); // not revived
    expect((await clientCredentials(h, clientId, secret)).status).toBe(200);
  });

  it('edits scopes, warning that removing one applies to live tokens', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: /Edit/ });
    await dialog.getByLabel('governance.findings:write').uncheck();
    await seeText(dialog, 'Removing scopes applies to live tokens');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await seeCount(page.getByRole('dialog'), 0);
    const token = await clientCredentials(h, clientId, secret);
    expect(token.json.scope).toBe('governance.findings:read');
  });

  it('deletes after a confirmation and returns to the list', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: /Delete/ })
      .getByRole('button', { name: 'Delete service account' })
      .click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Credentials');
    await seeVisible(page.getByText('No service accounts yet'));
    expect((await clientCredentials(h, clientId, secret)).status).toBe(401);
    expect(errors).toEqual([]);
  });
});
