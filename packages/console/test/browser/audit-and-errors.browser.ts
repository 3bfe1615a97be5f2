import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startListening } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { openPage, shot, signIn, type Listening } from './support/console-page.js';
import { seeCount, seeFocused, seeText, seeVisible } from './support/see.js';

/** The audit log (filters, paging, export), explained failures, keyboard use and a narrow window. */
describe.skipIf(!hasChromium)('console: audit log, errors, keyboard and layout', () => {
  let h: Listening;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startListening();
    // Some history: two accounts, a few grants, one disabled.
    const a = await h.createServiceAccount(['governance.findings:read'], { name: 'Findings Sync' });
    await h.createServiceAccount(['assets:read'], { name: 'Asset Inventory' });
    for (let i = 0; i < 3; i++) await h.accessToken(a.clientId, a.clientSecret);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${a.clientId}/disable`);
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

  it('shows the log newest first and filters it by action and by actor', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const rows = page.locator('table.audit tbody tr');
    await seeText(page.locator('table.audit'), 'service_account.disable');
    const times = await rows.locator('td:first-child').evaluateAll((tds) => tds.map((td) => td.getAttribute('title') ?? ''));
    expect(times.length).toBeGreaterThan(5);
    expect([...times].sort().reverse()).toEqual(times); // newest first
    await shot(page, '12-audit-log');

    await page.getByLabel('Action').fill('token.grant');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await seeCount(rows, 3);
    for (const text of await rows.allTextContents()) expect(text).toContain('token.grant');
    await shot(page, '13-audit-filtered');

    await page.getByLabel('Action').fill('');
    await page.getByLabel('Actor').selectOption({ label: 'Asset Inventory' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await seeText(page.locator('.empty'), 'No event matches these filters');

    // A time range that ends before everything happened is empty too; Clear brings it all back.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('To', { exact: true }).fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await seeText(page.locator('.empty'), 'No event matches these filters');
    await page.getByRole('button', { name: 'Clear' }).click();
    await seeText(page.locator('table.audit'), 'service_account.disable');
  });

  it('exports the filtered log as CSV and as JSON lines', async () => {
    await page.getByLabel('Action').fill('token.grant');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await seeCount(page.locator('table.audit tbody tr'), 3);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(new RegExp(`^gatehouse-audit-${h.orgId}-.*\\.csv$`));
    const csvText = fs.readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\r\n')[0]).toBe('id,occurredAt,action,outcome,actorType,actorId,actorName,targetType,targetId,credential,ip,userAgent,detail');
    expect(csvText.trim().split('\r\n')).toHaveLength(4);
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON lines' }).click()]);
    const lines = fs
      .readFileSync((await jsonl.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.map((l) => l.action)).toEqual(['token.grant', 'token.grant', 'token.grant']);
    await seeText(page.getByRole('status'), 'Exported 3 events');
  });

  it('pages through the log 50 events at a time', async () => {
    const b = await h.createServiceAccount(['assets:read'], { name: 'Busy Integration' });
    for (let i = 0; i < 52; i++) await h.accessToken(b.clientId, b.clientSecret);
    await page.reload();
    await page.getByLabel('Actor').selectOption({ label: 'Busy Integration' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('table.audit tbody tr');
    await seeCount(rows, 50);
    await page.getByRole('button', { name: 'Older →' }).click();
    await seeCount(rows, 2);
    await seeText(page.getByRole('navigation', { name: 'Audit log pages' }), 'Page 2');
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await seeCount(rows, 50);
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('explains a network failure instead of swallowing it, and recovers on retry', async () => {
    await page.route('**/console/api/orgs/*/service-accounts*', (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Credentials' }).click();
    await seeText(page.getByRole('alert'), 'the Gatehouse server did not answer');
    await shot(page, '14-network-error');
    await page.unroute('**/console/api/orgs/*/service-accounts*');
    await page.getByRole('button', { name: 'Try again' }).click();
    await seeVisible(page.getByRole('row', { name: /Findings Sync/ }));
  });

  it('a viewer lands on their own API tokens and is told why credentials and the audit log are closed', async () => {
    const viewer = await h.addUser('viewer');
    const other = await openPage(browser, h);
    await signIn(other.page, viewer.email, 'correct horse battery staple');
    await expect.poll(() => new URL(other.page.url()).pathname).toBe(`/orgs/${h.orgId}/api-tokens`);
    await other.page.getByRole('link', { name: 'Credentials' }).click();
    await seeText(other.page.locator('.empty'), 'Only owners and admins manage service accounts');
    await seeText(other.page.locator('.empty'), 'viewer');
    await shot(other.page, '15-viewer-credentials');
    await other.page.getByRole('link', { name: 'Audit log' }).click();
    await seeText(other.page.locator('.empty'), 'Only owners and admins read the audit log');
    await other.page.getByRole('link', { name: 'Members' }).click();
    await seeText(other.page.locator('.notice'), 'Only owners invite people');
    await other.context.close();
    expect(other.errors).toEqual([]);
  });

  it('explains a 403 from the server: an admin demoted while the page is open', async () => {
    const admin = await h.addUser('admin');
    const other = await openPage(browser, h);
    await signIn(other.page, admin.email, 'correct horse battery staple');
    await seeVisible(other.page.getByRole('row', { name: /Findings Sync/ }));
    const demote = await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${admin.userId}`, { role: 'viewer' });
    expect(demote.statusCode).toBe(200);
    await other.page.getByRole('link', { name: 'Audit log' }).click();
    const alert = other.page.getByRole('alert');
    await seeText(alert, 'Could not load the audit log: your role does not allow it');
    await seeText(alert, 'Ask an owner');
    await shot(other.page, '15b-forbidden');
    await other.context.close();
  });

  it('keyboard: a dialog takes focus, Escape closes it, and focus returns to its button', async () => {
    await page.getByRole('link', { name: 'Credentials' }).click();
    const open = page.getByRole('button', { name: 'Create service account' }).first();
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create service account' });
    await seeFocused(dialog.getByLabel('Name'));
    await page.keyboard.press('Tab');
    await seeFocused(dialog.getByLabel('Filter scopes'));
    await page.keyboard.press('Escape');
    await seeCount(page.getByRole('dialog'), 0);
    await seeFocused(open);
  });

  it('an organization the user is not in says so, whether or not it exists', async () => {
    await page.goto('/orgs/org_01J00000000000000000000000/members');
    await seeText(page.locator('.empty'), 'You are not a member of this organization');
  });

  it('fits half a laptop screen: navigation moves to the top, no horizontal scroll', async () => {
    await page.setViewportSize({ width: 720, height: 900 });
    await page.goto(`/orgs/${h.orgId}/developers/api/credentials`);
    await seeVisible(page.getByRole('row', { name: /Findings Sync/ }));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '16-narrow-credentials');
    await page.goto(`/orgs/${h.orgId}/audit-log`);
    await seeVisible(page.locator('table.audit'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await shot(page, '17-narrow-audit');
    expect(errors).toEqual([]);
  });
});
