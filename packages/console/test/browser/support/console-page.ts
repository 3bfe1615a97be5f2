import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type Harness } from '@gatehouse/testkit';
import { SCREENSHOTS } from './chromium.js';

export type Listening = Harness & { url: string };

/** A fresh browser context (its own cookies) on the listening server; collects page errors. */
export async function openPage(
  browser: Browser,
  h: Listening,
  viewport = { width: 1280, height: 860 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: h.url, viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // A CSP violation is reported on the console; the SPA must never cause one.
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) errors.push(msg.text());
  });
  return { context, page, errors };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** Writes test-results/screenshots/<name>.png (gitignored). */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The server's token endpoint and APIs over real HTTP, as an integration would call them. */
export async function post(
  h: Listening,
  url: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(h.url + url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

export async function clientCredentials(h: Listening, clientId: string, clientSecret: string) {
  return post(h, '/api/v1/auth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
}

export async function apiGet(h: Listening, url: string, token: string): Promise<number> {
  const res = await fetch(h.url + url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}
