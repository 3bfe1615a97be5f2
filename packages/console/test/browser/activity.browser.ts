import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startListening } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { clientCredentials, openPage, shot, signIn, type Listening } from './support/console-page.js';
import { seeCount, seeText, seeVisible } from './support/see.js';

/**
 * Issue 14 item 5 in headless Chromium: a service account's activity chart from grants made at
 * moved (server) clock times, "rotation recommended" past 90 days, the credentials list's unused
 * filter, and no sideways scroll at 375 px on the main pages. The server's clock moves by days, so
 * the browser signs in again after each move (a console session lasts at most 12 hours).
 */
describe.skipIf(!hasChromium)('console: credential activity', () => {
  let h: Listening;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let account = { clientId: '', clientSecret: '' };

  const grants = async (at: string, n: number) => {
    h.clock.set(at);
    for (let i = 0; i < n; i++) expect((await clientCredentials(h, account.clientId, account.clientSecret)).status).toBe(200);
  };
  const bar = (date: string) => page.locator(`[data-testid="grants-chart"] rect[data-date="${date}"]`);
  const accountPage = () => `/orgs/${h.orgId}/developers/api/credentials/${account.clientId}`;

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startListening();
    browser = await launch();
    ({ page, errors } = await openPage(browser, h));
    // The listening server's clock starts at the real time; move it on to a known day (never back:
    // the signing key was made at the start) and create the account there with a fresh session.
    h.clock.set('2027-01-01T12:00:00Z');
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'Nightly export', scopes: ['assets:read'] });
    account = created.json() as { clientId: string; clientSecret: string };
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('draws one bar per UTC day with the number of tokens issued that day, and the last address', async () => {
    await grants('2027-01-03T10:00:00Z', 2);
    await grants('2027-01-05T23:59:00Z', 1);
    await grants('2027-01-10T00:01:00Z', 4);
    // A refused grant is not activity.
    expect((await clientCredentials(h, account.clientId, 'not-the-secret')).status).toBe(401);
    h.clock.set('2027-01-10T15:00:00Z');
    await signIn(page);
    await page.goto(accountPage());
    await seeVisible(page.getByRole('heading', { name: 'Activity' }));

    await seeCount(page.locator('[data-testid="grants-chart"] rect'), 30);
    const counts = await page
      .locator('[data-testid="grants-chart"] rect')
      .evaluateAll((rects) =>
        Object.fromEntries(rects.filter((r) => r.getAttribute('data-grants') !== '0').map((r) => [r.getAttribute('data-date'), r.getAttribute('data-grants')])),
      );
    expect(counts).toEqual({ '2027-01-03': '2', '2027-01-05': '1', '2027-01-10': '4' });
    // The busiest day is the tallest bar; a day with half its grants is half as tall.
    const height = async (date: string) => Number(await bar(date).getAttribute('height'));
    expect(await height('2027-01-03')).toBeCloseTo((await height('2027-01-10')) / 2, 5);
    expect(await height('2027-01-04')).toBe(0);
    expect(await bar('2026-12-12').count()).toBe(1); // the window's first day
    expect(await bar('2026-12-11').count()).toBe(0);
    await seeText(page.getByTestId('activity'), '7 tokens in 30 days');
    await seeText(page.getByTestId('last-address'), '127.0.0.1');
    await seeText(page.getByTestId('secret-age'), '9 days');
    await seeCount(page.getByText('Rotation recommended'), 0);
    await shot(page, '30-activity-chart');
    expect(await page.content()).not.toContain(account.clientSecret);
  });

  it('marks "rotation recommended" once the secret is older than 90 days; an owner can raise the threshold', async () => {
    h.clock.set('2027-04-01T12:01:00Z'); // 90 days and a minute after the secret was made
    await signIn(page);
    await page.goto(accountPage());
    await seeText(page.getByTestId('secret-age'), '90 days');
    await seeVisible(page.getByText('Rotation recommended', { exact: true }));
    // The January grants have left the 30-day window.
    await seeText(page.getByTestId('activity'), '0 tokens in 30 days');
    await shot(page, '31-rotation-recommended');

    await page.goto(`/orgs/${h.orgId}/developers/api/credentials`);
    const threshold = page.getByLabel('Recommend rotating secrets older than');
    await threshold.fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await seeText(page.getByRole('alert'), 'from 1 to 3650');
    await threshold.fill('120');
    await page.getByRole('button', { name: 'Save' }).click();
    await seeText(page.getByRole('status'), 'Saved');
    await page.goto(accountPage());
    await seeText(page.getByTestId('secret-age'), '90 days');
    await seeCount(page.getByText('Rotation recommended', { exact: true }), 0);
  });

  it('filters the credentials list to accounts unused for 30 days', async () => {
    // The harness's own session ended with the moved clock: a fresh one creates an account used today.
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'Busy sync', scopes: ['assets:read'] });
    const busy = created.json() as { clientId: string; clientSecret: string };
    expect((await clientCredentials(h, busy.clientId, busy.clientSecret)).status).toBe(200);

    await page.goto(`/orgs/${h.orgId}/developers/api/credentials`);
    await seeVisible(page.getByRole('row', { name: /Busy sync/ }));
    await page.getByLabel('Only accounts unused for 30 days').check();
    await seeVisible(page.getByRole('row', { name: /Nightly export/ }));
    await seeCount(page.getByRole('row', { name: /Busy sync/ }), 0);
    await shot(page, '32-unused-filter');
    await page.getByLabel('Only accounts unused for 30 days').uncheck();
    await seeVisible(page.getByRole('row', { name: /Busy sync/ }));
  });

  it('no page scrolls sideways at 375 px', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    // Organization pages open by URL; the person's own pages through the top bar's links (the
    // server answers only /orgs/... paths with the app).
    const pages: Array<[string, string]> = [
      [`/orgs/${h.orgId}/developers/api/credentials`, 'Credentials'],
      [accountPage(), 'Nightly export'],
      [`/orgs/${h.orgId}/api-tokens`, 'My API tokens'],
      [`/orgs/${h.orgId}/members`, 'Members'],
      [`/orgs/${h.orgId}/audit-log`, 'Audit log'],
      ['link:Security', 'Security'],
      ['link:Sessions', 'Sessions'],
      ['link:Change password', 'Change password'],
    ];
    const overflowing: string[] = [];
    for (const [path, heading] of pages) {
      if (path.startsWith('link:')) await page.getByRole('link', { name: path.slice(5), exact: true }).click();
      else await page.goto(path);
      await seeText(page.getByRole('heading', { level: 1 }), heading);
      await page.waitForLoadState('networkidle');
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (over > 0) overflowing.push(`${path}: ${over}px`);
      await shot(page, `33-narrow-${heading.toLowerCase().replace(/\W+/g, '-')}`);
    }
    expect(overflowing.join('; ')).toBe('');
    expect(errors).toEqual([]);
  });
});
