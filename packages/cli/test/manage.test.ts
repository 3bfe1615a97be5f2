import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type ListeningHarness } from '@gatehouse/testkit';
import { gatehouse } from './support/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** [M3] The management commands, built and run as a subprocess against a listening server. */
describe('gatehouse service-accounts | members | audit | orgs', () => {
  let h: ListeningHarness;
  let home: string;
  let env: Record<string, string>;

  const tokenStatus = async (clientId: string, clientSecret: string): Promise<number> => {
    const res = await fetch(`${h.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
    return res.status;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
      cwd: root,
      stdio: 'inherit',
    });
    h = await startListening();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-manage-'));
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'cli' });
    env = { XDG_CONFIG_HOME: home, GATEHOUSE_URL: h.url, GATEHOUSE_REFRESH_TOKEN: refreshToken };
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('create (secret printed once) → token endpoint → rotate → disable → invite → audit tail as JSON lines', async () => {
    const orgs = await gatehouse(['orgs', 'list', '--json'], { env });
    expect(orgs.code, orgs.stderr).toBe(0);
    expect(JSON.parse(orgs.stdout)).toEqual([expect.objectContaining({ id: h.orgId, role: 'owner' })]);

    // No --org: the person's only organization.
    const created = await gatehouse(['service-accounts', 'create', '--name', 'deploy bot', '--scope', 'assets:read'], { env });
    expect(created.code, created.stderr).toBe(0);
    const clientId = /client_id:\s+(svc_\w+)/.exec(created.stdout)![1]!;
    const secret = /client_secret:\s+(\S+)/.exec(created.stdout)![1]!;
    expect(created.stdout.split(secret).length - 1).toBe(1);
    expect(await tokenStatus(clientId, secret)).toBe(200);

    const rotated = await gatehouse(['service-accounts', 'rotate', clientId, '--grace-seconds', '0', '--json'], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = (JSON.parse(rotated.stdout) as { clientSecret: string }).clientSecret;
    expect(await tokenStatus(clientId, next)).toBe(200);
    expect(await tokenStatus(clientId, secret)).toBe(401);

    const disabled = await gatehouse(['service-accounts', 'disable', clientId, '--json'], { env });
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ id: clientId, status: 'disabled' });
    expect(await tokenStatus(clientId, next)).toBe(401);
    const list = await gatehouse(['service-accounts', 'list'], { env });
    expect(list.stdout).toMatch(new RegExp(`${clientId}\\s+disabled\\s+deploy bot`));

    const invited = await gatehouse(['members', 'invite', 'newcomer@example.test', '--role', 'viewer'], { env });
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stdout).toContain(`${h.url}/invite/`);

    const tail = await gatehouse(['audit', 'tail', '--json'], { env });
    expect(tail.code, tail.stderr).toBe(0);
    const events = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; actor: { id?: string } });
    const mine = events.filter((e) => e.actor.id === h.owner.userId).map((e) => e.action);
    // Oldest first, each attributed to the person behind the token.
    expect(mine).toEqual(expect.arrayContaining(['service_account.create', 'service_account.rotate_secret', 'service_account.disable', 'invitation.create']));
    expect(mine.indexOf('service_account.create')).toBeLessThan(mine.indexOf('service_account.disable'));
    expect(tail.stdout).not.toContain(next);

    // Over many pages: every event since then, and a progress line on stderr.
    const paged = await gatehouse(['audit', 'tail', '--since', '2000-01-01T00:00:00Z', '--limit', '2', '--json'], { env });
    expect(paged.code, paged.stderr).toBe(0);
    expect(paged.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(events.length);
    expect(paged.stderr).toMatch(/audit tail: \d+ events read \(\d+ pages\)/);

    // Filtered by the server: an action prefix, and one actor's events.
    const rotations = await gatehouse(['audit', 'tail', '--since', '2000-01-01T00:00:00Z', '--action', 'service_account.r', '--json'], { env });
    expect(rotations.code, rotations.stderr).toBe(0);
    const rotationActions = rotations.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(rotationActions.map((e) => e.action)).toEqual(['service_account.rotate_secret']);
    const byOwner = await gatehouse(['audit', 'tail', '--since', '2000-01-01T00:00:00Z', '--actor', h.owner.userId, '--json'], { env });
    const actors = byOwner.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { actor: { id?: string } }).actor.id);
    expect(actors.length).toBeGreaterThanOrEqual(mine.length);
    expect(new Set(actors)).toEqual(new Set([h.owner.userId]));
  }, 120_000);

  it('[M2] a CI token narrowed to manage:service-accounts rotates but cannot invite: one line, exit 1', async () => {
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'ci', scopes: ['manage:service-accounts'] });
    const ci = { ...env, GATEHOUSE_REFRESH_TOKEN: refreshToken, XDG_CONFIG_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ci-')) };
    const { clientId } = await h.createServiceAccount(['assets:read']);
    const rotated = await gatehouse(['service-accounts', 'rotate', clientId], { env: ci });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/client_secret: ghcs_/);
    const invite = await gatehouse(['members', 'invite', 'someone@example.test', '--role', 'viewer'], { env: ci });
    expect(invite.code).toBe(1);
    expect(invite.stderr).toMatch(/^gatehouse: insufficient_scope: .*manage:members\n$/);
    expect(invite.stdout).toBe('');
  }, 60_000);

  it('errors are one line with the usual exit codes; several organizations need --org or GATEHOUSE_ORG', async () => {
    const missing = await gatehouse(['service-accounts', 'get', 'svc_01JAAAAAAAAAAAAAAAAAAAAAAA'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^gatehouse: not_found: .*\n$/);
    const usage = await gatehouse(['service-accounts', 'create', '--name', 'no scopes'], { env });
    expect(usage.code).toBe(2);

    const other = await h.createOrg('Second');
    const ambiguous = await gatehouse(['service-accounts', 'list'], { env });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('--org');
    const chosen = await gatehouse(['service-accounts', 'list', '--json'], { env: { ...env, GATEHOUSE_ORG: other } });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(JSON.parse(chosen.stdout)).toEqual([]);
    const flag = await gatehouse(['members', 'list', '--org', other, '--json'], { env });
    expect(JSON.parse(flag.stdout)).toEqual([expect.objectContaining({ userId: h.owner.userId, role: 'owner' })]);
  }, 60_000);
});
