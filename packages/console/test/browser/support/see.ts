import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Waiting assertions over playwright-core locators (Vitest's expect does not wait on a page):
 * each polls until the page shows what is expected, or fails after `timeout`.
 */
const timeout = 15_000;

export async function seeText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.first().waitFor({ state: 'attached', timeout });
  const read = async () => (await locator.first().textContent()) ?? '';
  if (typeof text === 'string') await expect.poll(read, { timeout }).toContain(text);
  else await expect.poll(read, { timeout }).toMatch(text);
}

export async function seeVisible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

export async function seeCount(locator: Locator, n: number): Promise<void> {
  await expect.poll(() => locator.count(), { timeout }).toBe(n);
}

export async function seeValue(locator: Locator, value: string): Promise<void> {
  await expect.poll(() => locator.inputValue(), { timeout }).toBe(value);
}

export async function seeFocused(locator: Locator): Promise<void> {
  await expect.poll(() => locator.evaluate((el) => el === document.activeElement), { timeout }).toBe(true);
}
