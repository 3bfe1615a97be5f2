import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startListening } from '@gatehouse/testkit';
import { ensureConsoleBuilt, hasChromium, launch } from './support/chromium.js';
import { openPage, shot, signIn, type Listening } from './support/console-page.js';
import { seeText, seeVisible } from './support/see.js';

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A SIEM stand-in on loopback (allowed by GATEHOUSE_WEBHOOK_ALLOWED_HOSTS [E5]), answering 204. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/siem`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Audit log → Streaming (§15 [E4]): an owner streams the log to an endpoint, tests it and reads the delivery log. */
describe.skipIf(!hasChromium)('console: audit log streaming', () => {
  let h: Listening;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const streaming = () => page.getByRole('region', { name: 'Streaming' });

  beforeAll(async () => {
    ensureConsoleBuilt();
    // The harness's clock starts at the real time, so standardwebhooks' 5-minute tolerance holds.
    h = await startListening({ GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    rx = await startReceiver();
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
    await rx?.close();
  });

  it('an owner sets an endpoint, sees the signing secret once, sends a test event that verifies, and reads it in the delivery log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await seeText(streaming(), 'No audit stream');
    // [E5] A private address is refused, and the page says why.
    await streaming().getByLabel('Endpoint URL').fill('https://192.168.0.10/siem');
    await streaming().getByRole('button', { name: 'Stream the audit log' }).click();
    await seeText(streaming().getByRole('alert'), 'destination refused');

    await streaming().getByLabel('Endpoint URL').fill(rx.url);
    await streaming().getByRole('button', { name: 'Stream the audit log' }).click();
    const shown = streaming().getByRole('status').filter({ hasText: 'Signing secret' });
    await seeVisible(shown);
    const secret = (await shown.locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await seeText(streaming().getByRole('listitem'), rx.url);
    await shot(page, '30-audit-streaming');

    await streaming().getByRole('button', { name: 'Send a test event' }).click();
    // The worker delivers in the background; a pass now, rather than waiting for its interval.
    await expect
      .poll(
        async () => {
          await h.gh.services.deliveries.tick();
          // [E4] Each message is a batch: {type: 'audit.events', data: {events: [{type, data}, ...]}}.
          return rx.received.flatMap((r) =>
            (new Webhook(secret).verify(r.body, r.headers) as { data: { events: Array<{ type: string }> } }).data.events.map((e) => e.type),
          );
        },
        { timeout: 15_000 },
      )
      .toContain('audit.audit_stream.test');
    const test = rx.received.find((r) => r.body.includes('audit_stream.test'))!;
    expect(test.headers['webhook-signature']).toMatch(/^v1,/);

    await streaming().getByRole('button', { name: 'Delivery log' }).click();
    const row = streaming().locator('tbody tr').filter({ hasText: 'audit.audit_stream.test' });
    await seeText(row, 'delivered');
    await seeText(row, '204');
    await shot(page, '31-audit-streaming-log');

    // Shown once: after a reload the stream is listed, its secret is nowhere on the page.
    await page.reload();
    await seeText(streaming().getByRole('listitem'), rx.url);
    expect(await page.content()).not.toContain(secret);
    expect(errors).toEqual([]);
  });

  it('an admin reads the audit log but sees no streaming controls', async () => {
    const admin = await h.addUser('admin');
    const { context, page: adminPage } = await openPage(browser, h);
    try {
      await signIn(adminPage, admin.email, ADMIN_PASSWORD);
      await adminPage.getByRole('link', { name: 'Audit log' }).click();
      await seeVisible(adminPage.locator('table.audit'));
      expect(await adminPage.getByRole('region', { name: 'Streaming' }).count()).toBe(0);
      expect(await adminPage.getByRole('button', { name: 'Send a test event' }).count()).toBe(0);
      expect(await adminPage.getByLabel('Endpoint URL').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
