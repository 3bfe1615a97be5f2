import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, installed by .ci/run with apt-get; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n[gatehouse] SKIPPING the browser tests: ${CHROMIUM} is absent (install it with \`apt-get install -y chromium\`; .ci/run does).\n`);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../../..');
const consoleDir = path.join(repo, 'packages/console');
export const SCREENSHOTS = path.join(repo, 'test-results/screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * The tests drive the console the server serves (packages/console/dist). CI builds it before
 * testing; locally, a missing or older-than-its-sources build is rebuilt here.
 */
export function ensureConsoleBuilt(): void {
  const index = path.join(consoleDir, 'dist/index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const newest = newestMtime([path.join(consoleDir, 'src'), path.join(consoleDir, 'index.html'), path.join(consoleDir, 'vite.config.ts')]);
  if (built >= newest) return;
  console.warn('[gatehouse] building the console for the browser tests (its build is missing or stale)');
  // Vitest sets NODE_ENV=test, which would give a development build of React.
  execFileSync('npm', ['run', 'build', '--workspace', '@gatehouse/console'], { cwd: repo, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const p of paths) {
    const st = fs.statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(fs.readdirSync(p).map((n) => path.join(p, n))));
    else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}
