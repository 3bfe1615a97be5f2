import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startListening } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { apiGet, openPage, post, shot, signIn, type Listening } from './support/console-page.js';
import { seeCount, seeText, seeVisible } from './support/see.js';

/** My API tokens [B1]-[B5] and Members (§8) through the console, in headless Chromium. */
describe.skipIf(!hasChromium)('console: personal API tokens and members', () => {
  let h: Listening;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startListening();
    browser = await launch();
    ({ page, errors } = await openPage(browser, h));
    await signIn(page);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('creates a personal token, shown once, that trades for an access token; revoking it stops that', async () => {
    await page.getByRole('link', { name: 'My API tokens' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'My API tokens');
    await seeText(page.locator('.empty'), 'You have no API tokens');
    await page.getByRole('button', { name: 'Create token' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create API token' });
    await dialog.getByLabel('Token name').fill('laptop CLI');
    await dialog.getByLabel('Limit to chosen scopes').check();
    await dialog.getByLabel('sbom.buckets:read').check();
    await shot(page, '08-create-api-token');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const reveal = page.getByRole('dialog', { name: /Token “laptop CLI” created/ });
    await seeText(reveal, 'You will not see it again');
    const refreshToken = (await reveal.getByTestId('reveal-refresh-token').textContent())!;
    await shot(page, '09-api-token-reveal');
    const grant = await post(h, '/api/v1/auth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(grant.status).toBe(200);
    expect(grant.json.scope).toBe('sbom.buckets:read');
    expect(await apiGet(h, `/sbom/v1/orgs/${h.orgId}/buckets`, grant.json.access_token as string)).toBe(200);

    await reveal.getByRole('button', { name: 'I have stored it, close' }).click();
    const row = page.getByRole('row', { name: /laptop CLI/ });
    await seeText(row, 'Scopes: sbom.buckets:read');
    await seeText(row, 'Never'); // last used is shown after a reload of the list
    expect(await page.content()).not.toContain(refreshToken);
    await page.reload();
    await seeText(page.getByRole('row', { name: /laptop CLI/ }), /just now|seconds? ago/);
    await shot(page, '10-api-tokens');

    await page.getByRole('button', { name: 'Revoke laptop CLI' }).click();
    const confirm = page.getByRole('dialog', { name: /Revoke/ });
    await seeText(confirm, 'Access tokens already minted from it live out their hour');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await seeText(page.locator('.empty'), 'You have no API tokens');
    const after = await post(h, '/api/v1/auth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(after.status).toBe(400);
    expect(after.json.error).toBe('invalid_grant');
  });

  it("invites a member, who accepts as a new person and is signed in; shows the rules; changes the member's role", async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Members');
    await seeText(page.getByRole('region', { name: 'Roles and rules' }), 'An organization always keeps an owner');
    // The only owner cannot be demoted or removed, and the page says why.
    await seeText(page.getByRole('row', { name: /owner@example.test/ }), 'make someone else owner first');

    // [P2] Invite (no password chosen by the owner anywhere); the link is shown once.
    await page.getByRole('button', { name: 'Invite' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone' });
    await dialog.getByLabel('Email').fill('dana@example.test');
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    const reveal = page.getByRole('dialog', { name: /dana@example.test is invited/ });
    await seeText(reveal, 'You will not see it again');
    const link = (await reveal.getByTestId('reveal-invitation-link').textContent())!;
    expect(link).toMatch(/\/invite\/ghinv_/);
    await reveal.getByRole('button', { name: 'I have stored it, close' }).click();
    await seeText(page.getByRole('region', { name: 'Pending invitations' }), 'dana@example.test');

    // [P3] Dana opens the link in her own browser, chooses her name and password, and is signed in.
    const other = await openPage(browser, h);
    await other.page.goto(new URL(link).pathname);
    await seeText(other.page.getByRole('heading', { level: 1 }), 'Join My organization');
    await seeText(other.page.locator('main'), 'as viewer');
    await other.page.getByLabel('Your name').fill('Dana');
    await other.page.getByLabel('Choose a password').fill('dana chose this passphrase');
    await other.page.getByRole('button', { name: 'Create account and join' }).click();
    await seeVisible(other.page.getByRole('button', { name: 'Sign out' }));
    await seeText(other.page.locator('.user-email'), 'dana@example.test');

    // [P4] Dana changes her password; the old one stops working.
    await other.page.getByRole('link', { name: 'Change password' }).click();
    await other.page.getByLabel('Current password').fill('dana chose this passphrase');
    await other.page.getByLabel('New password').fill('dana changed it again today');
    await other.page.getByRole('button', { name: 'Change password' }).click();
    await seeText(other.page.getByRole('status'), 'Your password is changed');
    await expect(h.signIn('dana@example.test', 'dana chose this passphrase')).rejects.toThrow(/401/);
    await other.context.close();

    await page.reload();
    const role = page.getByLabel('Role of dana@example.test');
    await seeVisible(role);
    expect(await role.inputValue()).toBe('viewer');
    await role.selectOption('admin');
    await expect
      .poll(async () => {
        const res = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/members`);
        return (res.json() as { items: Array<{ email: string; role: string }> }).items.find((m) => m.email === 'dana@example.test')?.role;
      })
      .toBe('admin');
    await shot(page, '11-members');

    // Dana, now admin, sees admin pages.
    const dana = await h.signIn('dana@example.test', 'dana changed it again today');
    expect((await dana.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`)).statusCode).toBe(200);
  });

  it('creates an organization, switches between organizations keeping the page, and signs out', async () => {
    await page.getByRole('button', { name: 'New organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'New organization' });
    await dialog.getByLabel('Organization name').fill('Second org');
    await dialog.getByRole('button', { name: 'Create organization' }).click();
    // The new organization's members page (we were on the first one's).
    const orgOf = () => /^\/orgs\/(org_[0-9A-Z]{26})\/members$/.exec(new URL(page.url()).pathname)?.[1];
    await expect.poll(orgOf).not.toBe(h.orgId);
    const second = orgOf()!;
    expect(second).toMatch(/^org_/);
    const switcher = page.getByLabel('Organization', { exact: true });
    expect(await switcher.inputValue()).toBe(second);
    await seeText(page.getByRole('row', { name: /owner@example.test/ }), '(you)');

    await switcher.selectOption({ label: 'My organization' });
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/orgs/${h.orgId}/members`);
    await seeVisible(page.getByRole('row', { name: /dana@example.test/ }));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await seeVisible(page.getByRole('button', { name: 'Sign in' }));
    await page.reload();
    await seeVisible(page.getByLabel('Password'));
    await signIn(page);
    await page.goto(`/orgs/${h.orgId}/members`);
  });

  it('removes a member after a confirmation', async () => {
    await page.getByRole('button', { name: 'Remove dana@example.test' }).click();
    await page
      .getByRole('dialog', { name: /Remove/ })
      .getByRole('button', { name: 'Remove member' })
      .click();
    await seeCount(page.getByRole('row', { name: /dana@example.test/ }), 0);
    expect(errors).toEqual([]);
  });
});
