import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(root, 'packages/cli/bin/gatehouse.js');

const CATALOGUE = `apis:
  - id: orders
    audience: https://orders.example.com
    scopes:
      - { name: "orders:read",  description: "List and get orders." }
      - { name: "orders:write", description: "Create and cancel orders." }
    routes:
      - { method: GET,  path: "/orgs/{orgId}/orders", scope: "orders:read",  org: orgId }
      - { method: POST, path: "/orgs/{orgId}/orders", scope: "orders:write", org: orgId }
      - { method: GET,  path: "/v1/orders/{id}",      scope: "orders:read" }
  - id: billing
    audience: https://billing.example.com
    scopes:
      - { name: "invoices:read", description: "List invoices." }
`;

/** `gatehouse catalogue check FILE` [C2], the built command as a subprocess, offline (no server, no database). */
describe('gatehouse catalogue check', { timeout: 60_000 }, () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const check = (file: string, ...extra: string[]) =>
    spawnSync(process.execPath, [BIN, 'catalogue', 'check', file, ...extra], {
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
      encoding: 'utf8',
      timeout: 30_000,
    });

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
      cwd: root,
      stdio: 'inherit',
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-catalogue-'));
  }, 120_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a valid file: ok with the counts, exit 0 (YAML and JSON, --json)', () => {
    const yaml = check(write('catalogue.yaml', CATALOGUE));
    expect([yaml.status, yaml.stdout, yaml.stderr]).toEqual([0, 'ok: 2 APIs, 3 scopes, 3 routes\n', '']);
    const json = check(
      write('catalogue.json', JSON.stringify({ apis: [{ id: 'a', audience: 'https://a.test', scopes: [{ name: 'a:read', description: 'A.' }] }] })),
      '--json',
    );
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, apis: 1, scopes: 1, routes: 0 });
  });

  it('a bad file: the place and the problem on stderr, exit 1', () => {
    const bad = check(write('bad.yaml', CATALOGUE.replace('"/v1/orders/{id}",      scope: "orders:read"', '"/v1/orders/{id}",      scope: "orders:delete"')));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('gatehouse: bad.yaml: apis[0].routes[2].scope: "orders:delete" is not a scope of API "orders"\n');
    const missing = check(path.join(dir, 'nope.yaml'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
  });
});
