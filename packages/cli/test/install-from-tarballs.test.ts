import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGES = ['@gatehouse/access', '@gatehouse/sdk', '@gatehouse/contract', '@gatehouse/cli', '@gatehouse/server'];
const BUDGET_MS = 90_000;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/**
 * [R4] What a user installs: `npm pack` of the built workspaces, installed from the tarballs into an
 * empty folder (dependencies from the registry), where the SDK loads both ways and `gatehouse serve`
 * starts a server from its build. Needs `npm run build` (CI's pretest runs it). No database is
 * involved beyond the embedded one it starts, so it runs in the pglite project only.
 */
describe.skipIf(process.env.GATEHOUSE_TEST_DRIVER !== 'pglite')('installing the packages from their tarballs [R4]', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-install-'));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('packs, installs, require()s and import()s the SDK, and `gatehouse serve` answers /healthz', { timeout: BUDGET_MS }, async () => {
    const started = Date.now();
    const phase = (name: string) => console.log(`[install-from-tarballs] ${name} after ${Date.now() - started} ms`);
    const run = (cmd: string, args: string[], cwd: string) =>
      execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });

    run('npm', ['pack', '--silent', ...PACKAGES.flatMap((p) => ['-w', p]), '--pack-destination', dir], repo);
    phase('packed');
    const tarballs = fs.readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(tarballs).toHaveLength(PACKAGES.length);

    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'try-gatehouse', version: '1.0.0', private: true }));
    run('npm', ['install', '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => path.join('..', t))], app);

    phase('installed');
    for (const pkg of ['sdk', 'access', 'cli', 'server', 'contract']) {
      expect(fs.existsSync(path.join(app, 'node_modules/@gatehouse', pkg, 'LICENSE')), `${pkg} has a licence`).toBe(true);
      expect(fs.existsSync(path.join(app, 'node_modules/@gatehouse', pkg, 'README.md')), `${pkg} has a README`).toBe(true);
    }
    const cjs = run('node', ['-e', "const s = require('@gatehouse/sdk'); console.log(typeof s.createVerifier, typeof s.ServiceAccountTokenClient)"], app);
    expect(cjs.trim()).toBe('function function');
    const esm = run('node', ['--input-type=module', '-e', "const s = await import('@gatehouse/sdk'); console.log(typeof s.createVerifier)"], app);
    expect(esm.trim()).toBe('function');
    expect(fs.existsSync(path.join(app, 'node_modules/@gatehouse/sdk/dist/index.d.ts'))).toBe(true);
    expect(run('npx', ['--no-install', 'gatehouse', '--help'], app)).toContain('Usage: gatehouse');

    const port = await freePort();
    // The server refuses unknown GATEHOUSE_* settings, the test runner's included: a clean environment.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
    let output = '';
    server = spawn(process.execPath, [path.join(app, 'node_modules/@gatehouse/cli/bin/gatehouse.js'), 'serve'], {
      cwd: app,
      env: { ...env, PORT: String(port), GATEHOUSE_DATA_DIR: path.join(app, 'data'), GATEHOUSE_ADMIN_EMAIL: 'owner@example.org' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stderr?.on('data', (d) => {
      output += String(d);
    });
    let health: Response | undefined;
    while (!health && Date.now() - started < BUDGET_MS - 3_000) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(async () => {
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
    }
    expect(health?.status, `gatehouse serve: ${output.slice(-500)}`).toBe(200);
    phase('served');
    expect(await health!.json()).toEqual({ status: 'ok' });
    // The console's build travels inside the server's tarball.
    const index = await fetch(`http://127.0.0.1:${port}/`);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
