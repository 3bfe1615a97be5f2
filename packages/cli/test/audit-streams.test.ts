import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type ListeningHarness } from '@gatehouse/testkit';
import { gatehouse } from './support/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** [E4] `gatehouse audit-streams`, built and run as a subprocess against a listening server. */
describe('gatehouse audit-streams', () => {
  let h: ListeningHarness;
  let env: Record<string, string>;
  const home = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-streams-'));
  const received: Array<{ headers: Record<string, string>; body: string }> = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  let receiverUrl: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
      cwd: root,
      stdio: 'inherit',
    });
    // The harness's clock starts at the real time, so standardwebhooks' 5-minute tolerance holds.
    h = await startListening({ GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/siem`;
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'ci streams', scopes: ['manage:organization'] });
    env = { XDG_CONFIG_HOME: home(), GATEHOUSE_URL: h.url, GATEHOUSE_REFRESH_TOKEN: refreshToken };
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => receiver.close(r));
  });

  it('create (secret printed once) → test → the delivery verifies and is in `deliveries --json` → delete', async () => {
    const created = await gatehouse(['audit-streams', 'create', receiverUrl, '--description', 'SIEM'], { env });
    expect(created.code, created.stderr).toBe(0);
    const id = /^(ast_\w+)/.exec(created.stdout)![1]!;
    const secret = /signing secret: (whsec_\S+)/.exec(created.stdout)![1]!;
    expect(created.stdout.split(secret).length - 1).toBe(1);

    const listed = await gatehouse(['audit-streams', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, url: receiverUrl, active: true })]);
    expect(listed.stdout).not.toContain(secret);

    const tested = await gatehouse(['audit-streams', 'test', id], { env });
    expect(tested.code, tested.stderr).toBe(0);
    await h.gh.services.deliveries.tick();
    // [E4] Each message is a batch of events: {type: 'audit.events', data: {events: [...]}}.
    const types = received.flatMap((r) =>
      (new Webhook(secret).verify(r.body, r.headers) as { data: { events: Array<{ type: string }> } }).data.events.map((e) => e.type),
    );
    expect(types).toContain('audit.audit_stream.test');
    const log = await gatehouse(['audit-streams', 'deliveries', id, '--json'], { env });
    expect(JSON.parse(log.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventType: 'audit.events', eventTypes: expect.arrayContaining(['audit.audit_stream.test']), status: 'delivered' }),
      ]),
    );
    const text = await gatehouse(['audit-streams', 'deliveries', id], { env });
    expect(text.stdout).toMatch(/\d+ events \(.*audit\.audit_stream\.test.*\)\s+delivered/);

    const paused = await gatehouse(['audit-streams', 'pause', id, '--json'], { env });
    expect(JSON.parse(paused.stdout)).toMatchObject({ id, active: false });
    const deleted = await gatehouse(['audit-streams', 'delete', id], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse((await gatehouse(['audit-streams', 'list', '--json'], { env })).stdout)).toEqual([]);
  }, 60_000);

  it('[M2] a token without manage:organization is refused in one line, exit 1; a missing argument is exit 2', async () => {
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'ci members', scopes: ['manage:members'] });
    const refused = await gatehouse(['audit-streams', 'list'], {
      env: { ...env, XDG_CONFIG_HOME: home(), GATEHOUSE_REFRESH_TOKEN: refreshToken, GATEHOUSE_ORG: h.orgId },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gatehouse: insufficient_scope: .*manage:organization\n$/);
    expect(refused.stdout).toBe('');
    const usage = await gatehouse(['audit-streams', 'create'], { env });
    expect(usage.code).toBe(2);
  }, 60_000);
});
