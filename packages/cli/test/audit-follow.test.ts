import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type ListeningHarness } from '@gatehouse/testkit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(root, 'packages/cli/bin/gatehouse.js');

interface Line {
  id: string;
  action: string;
  occurredAt: string;
  target?: { id?: string };
}

/**
 * [M3] `gatehouse audit tail --follow --json` as a subprocess: it keeps running and prints each new
 * event once, as a JSON line, as it happens, until it is killed. Polls every 0.5 s (--interval),
 * so the test waits for lines, never for fixed sleeps.
 */
describe('gatehouse audit tail --follow', () => {
  let h: ListeningHarness;
  let home: string;
  let tail: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
      cwd: root,
      stdio: 'inherit',
    });
    h = await startListening();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-follow-'));
  }, 120_000);
  afterAll(async () => {
    tail?.kill('SIGKILL');
    await h?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('prints new events as JSON lines as they happen, each once and oldest first, late commits included, until killed', async () => {
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'follow' });
    const child = spawn(process.execPath, [BIN, 'audit', 'tail', '--follow', '--json', '--interval', '0.5'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, GATEHOUSE_URL: h.url, GATEHOUSE_REFRESH_TOKEN: refreshToken },
    });
    tail = child;
    const raw: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    readline.createInterface({ input: child.stdout }).on('line', (l) => raw.push(l));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    const lines = () => raw.map((l) => JSON.parse(l) as Line);
    const waitFor = async (what: string, found: (l: Line) => boolean) => {
      const until = Date.now() + 30_000;
      while (!lines().some(found)) {
        if (child.exitCode !== null) throw new Error(`tail exited (${child.exitCode}) before ${what}: ${stderr}`);
        if (Date.now() > until) throw new Error(`no line for ${what} after 30 s; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    // What was there when it started: the organization's creation at bootstrap.
    await waitFor('the existing events', (l) => l.action === 'organization.create');

    // New events arrive without restarting it: two at the same instant, then one a second later.
    const first = await h.createServiceAccount(['assets:read']);
    const second = await h.createServiceAccount(['assets:read']);
    await waitFor('the first new account', (l) => l.action === 'service_account.create' && l.target?.id === first.clientId);
    await waitFor('the second new account', (l) => l.action === 'service_account.create' && l.target?.id === second.clientId);
    h.clock.advance(1);
    const disabled = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${first.clientId}/disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    await waitFor('the disabling', (l) => l.action === 'service_account.disable' && l.target?.id === first.clientId);
    // An event stamped before the newest one printed but committed after it (a slow transaction, or
    // another instance a little behind) is printed too, not skipped for being older.
    h.clock.set(new Date(h.clock.now().getTime() - 3_000));
    const late = await h.createServiceAccount(['assets:read']);
    await waitFor('the event stamped earlier', (l) => l.action === 'service_account.create' && l.target?.id === late.clientId);
    h.clock.advance(5);
    // A few more polls with nothing new print nothing more (no event twice).
    const settled = raw.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(raw.length).toBe(settled);

    const all = lines();
    expect(new Set(all.map((l) => l.id)).size, 'each event once').toBe(all.length);
    // Oldest first, as they were committed (the one stamped earlier came last, after the disabling).
    const times = all.slice(0, all.findIndex((l) => l.action === 'service_account.disable') + 1).map((l) => Date.parse(l.occurredAt));
    expect(times, 'oldest first').toEqual([...times].sort((a, b) => a - b));
    expect(all.at(-1)?.target?.id).toBe(late.clientId);
    expect(raw.join('\n')).not.toContain(first.clientSecret);
    expect(stderr).toBe('');

    child.kill('SIGTERM');
    expect(await closed).toBe('SIGTERM');
  }, 120_000);
});
