import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startListening, type Harness } from '@gatehouse/testkit';
import { gatehouse } from './support/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(root, 'packages/cli/bin/gatehouse.js');

async function grants(h: Harness, actorId: string): Promise<number> {
  await h.gh.services.audit.drain();
  const [row] = await h.gh.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'token.grant' AND actor_id = $1", [actorId]);
  return row!.n;
}

describe('gatehouse CLI (built, as a subprocess, against a running server)', () => {
  let h: Harness & { url: string };
  let home: string;
  let env: Record<string, string>;
  const credentialsFile = () => path.join(home, 'gatehouse', 'credentials.json');

  beforeAll(async () => {
    // The tests run the built command: build it (incremental; quick when up to date).
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
      cwd: root,
      stdio: 'inherit',
    });
    h = await startListening();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
    env = { XDG_CONFIG_HOME: home };
  });
  afterAll(async () => {
    await h?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('login → token → api → logout, with the credentials file at mode 0600', async () => {
    const login = await gatehouse(['login', '--url', h.url, '--email', ADMIN_EMAIL, '--password-stdin', '--name', 'ci laptop'], {
      env,
      input: `${ADMIN_PASSWORD}\n`,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/Signed in to .* as owner@example.test/);
    expect(login.stdout).not.toContain(ADMIN_PASSWORD);

    const stat = fs.statSync(credentialsFile());
    expect(stat.mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(credentialsFile())).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8'));
    expect(stored).toMatchObject({ url: h.url, email: ADMIN_EMAIL, name: 'ci laptop', refreshTokenId: expect.stringMatching(/^rt_/) });
    expect(JSON.stringify(stored)).not.toContain(ADMIN_PASSWORD);
    // The console lists it, by name; the login's console session was signed out again.
    const listed = (await h.owner.request('GET', '/console/api/me/refresh-tokens')).json() as { items: Array<{ id: string; name: string }> };
    expect(listed.items.map((t) => t.id)).toContain(stored.refreshTokenId);

    const token = await gatehouse(['token'], { env });
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    // Cached until near expiry: a second call prints the same token without a new grant.
    const again = await gatehouse(['token', '--json'], { env });
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout);
    expect(json).toMatchObject({ access_token: token.stdout.trim(), token_type: 'Bearer', expires_at: expect.any(String) });
    const cache = path.join(home, 'gatehouse', 'token-cache.json');
    expect(fs.statSync(cache).mode & 0o777).toBe(0o600);

    const created = await gatehouse(['api', 'POST', `/sbom/v1/orgs/${h.orgId}/buckets`, '--data', '{"name":"cli-bucket"}'], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'cli-bucket', orgId: h.orgId });
    const list = await gatehouse(['api', 'GET', `/sbom/v1/orgs/${h.orgId}/buckets`], { env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).items.map((b: { name: string }) => b.name)).toContain('cli-bucket');

    const logout = await gatehouse(['logout'], { env });
    expect(logout.stderr).toBe('');
    expect(logout.code).toBe(0);
    expect(fs.existsSync(credentialsFile())).toBe(false);
    expect(fs.existsSync(cache)).toBe(false);
    // Revoked at the server (RFC 7009), not just forgotten here.
    expect((await h.refresh(stored.refreshToken)).json()).toMatchObject({ error: 'invalid_grant' });

    const after = await gatehouse(['token'], { env });
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^gatehouse: not signed in[^\n]*\n$/);
    const out = await gatehouse(['logout'], { env });
    expect(out.code).toBe(1);
  });

  it('token --client-id with GATEHOUSE_CLIENT_SECRET, cached between invocations; api as the service account', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const svcEnv = { ...env, GATEHOUSE_URL: h.url, GATEHOUSE_CLIENT_SECRET: clientSecret };
    const first = await gatehouse(['token', '--client-id', clientId], { env: svcEnv });
    expect(first.code).toBe(0);
    const second = await gatehouse(['token', '--client-id', clientId], { env: svcEnv });
    expect(second.stdout).toBe(first.stdout);
    expect(await grants(h, clientId)).toBe(1);
    const events = await gatehouse(['api', 'GET', '/api/v1/audit-events?limit=1', '--client-id', clientId, '--json'], { env: svcEnv });
    expect(events.code).toBe(0);
    expect(events.stdout.trim().split('\n')).toHaveLength(1); // --json: compact, one line
    expect(JSON.parse(events.stdout).items).toHaveLength(1);

    // A forbidden call prints the error body and exits 1 with one line on stderr.
    const denied = await gatehouse(['api', 'GET', '/api/v1/assets', '--client-id', clientId], { env: svcEnv });
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ error: 'insufficient_scope' });
    expect(denied.stderr).toMatch(/^gatehouse: GET \/api\/v1\/assets: HTTP 403 insufficient_scope[^\n]*\n$/);

    const wrong = await gatehouse(['token', '--client-id', clientId], {
      env: { ...svcEnv, GATEHOUSE_CLIENT_SECRET: 'ghs_wrong-secret-000000000000000000000000' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^gatehouse: token request refused: invalid_client[^\n]*\n$/);
    expect(wrong.stderr).not.toContain('ghs_wrong-secret');
    const noSecret = await gatehouse(['token', '--client-id', clientId], { env: { ...env, GATEHOUSE_URL: h.url } });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/GATEHOUSE_CLIENT_SECRET/);
  });

  it('GATEHOUSE_REFRESH_TOKEN and GATEHOUSE_URL override the stored credentials', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const res = await gatehouse(['api', 'GET', `/sbom/v1/orgs/${h.orgId}/buckets`], {
      env: { ...env, GATEHOUSE_URL: h.url, GATEHOUSE_REFRESH_TOKEN: refreshToken },
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toHaveProperty('items');
  });

  it('login prompts on a terminal for the email and the password, without echoing the password', async () => {
    // util-linux `script` gives the command a pseudo-terminal, so stdin is a TTY as in a shell.
    const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} login --url ${h.url} --name pty`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), ...env, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${text}" in: ${out}`)), 10_000);
        const check = () => {
          if (out.includes(text)) {
            clearTimeout(t);
            resolve();
          }
        };
        child.stdout.on('data', (d) => {
          out += d;
          check();
        });
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await seen('Email: ');
    child.stdin.write(`${ADMIN_EMAIL}\r`);
    await seen('Password: ');
    child.stdin.write(`${ADMIN_PASSWORD}\r`);
    expect(await exited).toBe(0);
    expect(out).toMatch(/Signed in to .* as owner@example.test/);
    expect(out).not.toContain(ADMIN_PASSWORD);
    expect(fs.statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect((await gatehouse(['logout'], { env })).code).toBe(0);
  });

  it('a wrong password exits 1 with one line and stores nothing', async () => {
    const res = await gatehouse(['login', '--url', h.url, '--email', ADMIN_EMAIL, '--password-stdin'], { env, input: 'not the password\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('gatehouse: sign-in failed: wrong email or password\n');
    expect(fs.existsSync(credentialsFile())).toBe(false);
    const noUrl = await gatehouse(['login', '--email', ADMIN_EMAIL, '--password-stdin'], { env, input: 'x\n' });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toBe('gatehouse: which Gatehouse? pass --url or set GATEHOUSE_URL\n');
    const noTty = await gatehouse(['login', '--url', h.url, '--email', ADMIN_EMAIL], { env });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/--password-stdin/);
  });

  it('--help on every command; usage errors exit 2 with one line', async () => {
    for (const cmd of [[], ['login'], ['token'], ['api'], ['logout'], ['serve'], ['migrate'], ['resource-server', 'credential']]) {
      const res = await gatehouse([...cmd, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^Usage: gatehouse/);
    }
    for (const args of [['bogus'], ['api', 'GET'], ['token', '--nope'], ['api', 'FETCH', '/x', '--url', 'http://127.0.0.1:1']]) {
      const res = await gatehouse(args);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^gatehouse: [^\n]+\n$/);
    }
    const badData = await gatehouse(['api', 'POST', '/x', '--data', '{nope', '--url', h.url]);
    expect(badData.code).toBe(1);
    expect(badData.stderr).toBe('gatehouse: --data is not valid JSON\n');
  });

  it('resource-server credential makes a credential the server accepts for the state feed', async () => {
    const res = await gatehouse(['resource-server', 'credential', 'orders-api', '--json']);
    expect(res.code).toBe(0);
    const { credential, serverSetting } = JSON.parse(res.stdout);
    expect(credential).toMatch(/^ghrs_[\w-]{43}$/);
    const h2 = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: serverSetting });
    try {
      const feed = await fetch(`${h2.url}/api/v1/state-feed`, { headers: { authorization: `Bearer ${credential}` } });
      expect(feed.status).toBe(200);
      await feed.body?.cancel();
    } finally {
      await h2.close();
    }
  });
});

describe('gatehouse operator commands', () => {
  it('migrate, then serve until SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-serve-'));
    try {
      const base = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'warn' };
      const migrated = await gatehouse(['migrate', '--json'], { env: base, timeoutMs: 60_000 });
      expect(migrated.stderr).toBe('');
      expect(migrated.code).toBe(0);
      expect(JSON.parse(migrated.stdout).applied.length).toBeGreaterThan(0);
      expect((await gatehouse(['migrate'], { env: base, timeoutMs: 60_000 })).stdout).toBe('the database is up to date\n');
      const bad = await gatehouse(['migrate'], { env: { ...base, GATEHOUSE_NOPE: '1' } });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('gatehouse: unknown configuration: GATEHOUSE_NOPE\n');

      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
        // The CLI's own variables in the environment must not stop the server from starting.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: os.homedir(),
          ...base,
          GATEHOUSE_ADMIN_EMAIL: 'a@example.test',
          GATEHOUSE_ADMIN_PASSWORD: 'serve-test-password',
          GATEHOUSE_URL: `http://127.0.0.1:${port}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) break;
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not become ready: ${stderr}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000); // three PGlite starts in child processes: slow on a loaded 2-core machine
});
