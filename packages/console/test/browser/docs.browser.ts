import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening } from '@gatehouse/testkit';
import { hasChromium, launch } from './support/chromium.js';
import { openPage, type Listening } from './support/console-page.js';

/** [M4] /docs renders /openapi.json for people, from this server's own files, within its CSP. */
describe.skipIf(!hasChromium)('/docs: the API reference', () => {
  let h: Listening;
  let browser: Browser;

  beforeAll(async () => {
    // `npm run build` copies Redoc's bundle into docs-ui/; do it here too for a local run.
    execFileSync('node', [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../server/scripts/copy-docs-ui.mjs')]);
    h = await startListening();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("renders the token endpoint's operation with no CSP violation and no request to another origin", async () => {
    const { page, errors } = await openPage(browser, h);
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(h.url) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    const res = await page.goto('/docs');
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
    // Redoc renders each operation as a heading named by its summary, with its method and path.
    const heading = page.getByRole('heading', { name: /Exchange client credentials \(RFC 6749 §4\.4\)/ });
    await heading.waitFor({ timeout: 45_000 });
    await heading.scrollIntoViewIfNeeded();
    expect(await page.locator('body').textContent()).toContain('/api/v1/auth/token');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
