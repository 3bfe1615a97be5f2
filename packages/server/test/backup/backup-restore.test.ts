import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/backup/restore.js';
import { loadConfig } from '../../src/config.js';
import { MasterKey } from '../../src/crypto/master-key.js';
import type { Db } from '../../src/db/db.js';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.js';
import { backupDatabase, restoreDatabase } from '../../src/cli-entry.js';
import { createTestDb } from '../support/db.js';
import { ISSUER, startHarness, type Harness } from '../support/harness.js';
import { startReceiver, streamEvents } from '../webhooks/receiver.js';

const BACKUP_TOKEN = 'backup-token-0123456789abcdef';
const SCOPE = 'governance.controls:read';
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A source server with a service account, a refresh token and an access token minted from it. */
async function source(master: MasterKey) {
  const h = await startHarness({ masterKey: master, env: { GATEHOUSE_BACKUP_TOKEN: BACKUP_TOKEN } });
  cleanup.push(() => h.close());
  const sa = await h.createServiceAccount([SCOPE]);
  const rt = await h.createRefreshToken();
  const accessToken = await h.accessToken(sa.clientId, sa.clientSecret);
  return { h, sa, rt, accessToken };
}

/** GET /operator/backup while grants keep being issued (and audited) in the background. */
async function backupUnderLoad(h: Harness, sa: { clientId: string; clientSecret: string }): Promise<{ file: Buffer; grants: number }> {
  let stop = false;
  let grants = 0;
  const load = (async () => {
    while (!stop) {
      const res = await h.token(sa.clientId, sa.clientSecret);
      expect(res.statusCode).toBe(200);
      grants++;
    }
  })();
  while (grants < 20) await new Promise((r) => setTimeout(r, 5));
  const res = await h.gh.app.inject({ method: 'GET', url: '/operator/backup', headers: { authorization: `Bearer ${BACKUP_TOKEN}` } });
  const during = grants;
  while (grants < during + 20) await new Promise((r) => setTimeout(r, 5));
  stop = true;
  await load;
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/gzip');
  return { file: res.rawPayload, grants };
}

const lines = (file: Buffer) =>
  gunzipSync(file)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

async function counts(db: Db, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`))[0]!.n);
  return out;
}

/** The old credentials still work on a server started on the restored database. */
async function expectCredentialsWork(gh: Gatehouse, old: Awaited<ReturnType<typeof source>>) {
  const inject = (o: InjectOptions) => gh.app.inject(o);
  const cc = await inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: old.sa.clientId, client_secret: old.sa.clientSecret },
  });
  expect(cc.statusCode).toBe(200);
  const rt = await inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'refresh_token', refresh_token: old.rt.refreshToken } });
  expect(rt.statusCode).toBe(200);
  // The access token minted before the backup still verifies (same signing key, same state).
  const api = await inject({ method: 'GET', url: '/api/v1/governance/controls', headers: { authorization: `Bearer ${old.accessToken}` } });
  expect(api.statusCode).toBe(200);
  // And a bad secret is still refused: the restored hashing key is the real one, not a new one.
  const bad = await inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: old.sa.clientId, client_secret: `${old.sa.clientSecret}x` },
  });
  expect(bad.statusCode).toBe(401);
}

// Each test starts two or three whole servers; the shared machine is slow, so the bound is generous.
describe('[R1] backup and restore', { timeout: 240_000 }, () => {
  it('backs up under load and restores into a fresh database: same rows, old secrets, refresh tokens and access tokens work', async () => {
    const master = MasterKey.random();
    const old = await source(master);
    const { file } = await backupUnderLoad(old.h, old.sa);
    const all = lines(file);
    const header = all[0] as { gatehouse_backup: number; schema: string[]; keyCheck: unknown };
    expect(header.gatehouse_backup).toBe(1);
    expect(header.schema.length).toBeGreaterThan(0);
    const trailer = all.at(-1) as { end: boolean; rows: Record<string, number> };
    expect(trailer.end).toBe(true);
    // Tables come from the catalog: every table of the source is in the file (minus the migrations' own).
    const sourceTables = (
      await old.h.gh.db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`)
    ).map((r) => r.t);
    expect(Object.keys(trailer.rows).sort()).toEqual(sourceTables.sort());
    expect(trailer.rows.audit_events).toBeGreaterThan(20);
    expect(JSON.stringify(all)).not.toContain(old.sa.clientSecret);

    const target = await createTestDb();
    cleanup.push(() => target.close().catch(() => {})); // also closed by the server started on it
    const restored = await restoreBackup(target, Readable.from(file), master);
    expect(restored.rows).toEqual(trailer.rows);
    expect(await counts(target, sourceTables)).toEqual(trailer.rows);

    const gh = await createGatehouse({ config: old.h.config, clock: old.h.clock, db: target, masterKey: master, passwordCost: { logN: 10, r: 8, p: 1 } });
    await expectCredentialsWork(gh, old);
    // Sequences moved past the restored rows: a change recorded now does not collide.
    const owner = await gh.app.inject({
      method: 'POST',
      url: '/console/api/session',
      payload: { email: 'owner@example.test', password: 'correct horse battery staple' },
    });
    expect(owner.statusCode).toBe(200);
    await gh.close();
  });

  it('after a restore, an audit stream and an export cursor taken before it carry on with the events recorded after it', async () => {
    const master = MasterKey.random();
    const env = { GATEHOUSE_BACKUP_TOKEN: BACKUP_TOKEN, GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000/1000' };
    const h = await startHarness({ masterKey: master, env });
    cleanup.push(() => h.close());
    const rx = await startReceiver();
    cleanup.push(() => rx.close());
    await h.gh.services.deliveries.stop();
    const stream = (await h.owner.request('POST', `/console/api/orgs/${h.orgId}/audit-streams`, { url: rx.url })).json() as { id: string; secret: string };
    const sa = await h.createServiceAccount(['audit-log:read']);
    // Many transactions in the source: its transaction ids run well ahead of a fresh target's.
    for (let i = 0; i < 60; i++) await h.accessToken(sa.clientId, sa.clientSecret);
    await h.gh.services.deliveries.tick();
    const before = streamEvents(stream.secret, rx.received, h.clock.now());
    expect(before.length).toBeGreaterThan(60);
    // A SIEM's export cursor near the end of the log (the last page's).
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    let cursor = '';
    for (;;) {
      const page = (await h.api('GET', `/api/v1/audit-events?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token)).json() as {
        nextCursor: string | null;
      };
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(cursor).not.toBe('');
    await h.gh.services.audit.drain();
    const res = await h.gh.app.inject({ method: 'GET', url: '/operator/backup', headers: { authorization: `Bearer ${BACKUP_TOKEN}` } });
    expect(res.statusCode).toBe(200);

    const target = await createTestDb();
    cleanup.push(() => target.close().catch(() => {}));
    await restoreBackup(target, Readable.from(res.rawPayload), master);
    const gh = await createGatehouse({ config: h.config, clock: h.clock, db: target, masterKey: master, passwordCost: { logN: 10, r: 8, p: 1 } });
    cleanup.push(() => gh.close());
    await gh.services.deliveries.stop();
    const granted = await gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret },
    });
    expect(granted.statusCode).toBe(200);
    await gh.services.audit.drain();
    const [newest] = await target.query<{ id: string }>("SELECT id FROM audit_events WHERE action = 'token.grant' ORDER BY id DESC LIMIT 1");

    // The stream delivers the grant recorded after the restore (and may resend up to a minute before it).
    rx.received.length = 0;
    await gh.services.deliveries.tick();
    const after = streamEvents(stream.secret, rx.received, h.clock.now()).map((e) => e.data.eventId);
    expect(after).toContain(newest!.id);
    // The export cursor taken before the backup finds it too.
    const page = await gh.app.inject({
      method: 'GET',
      url: `/api/v1/audit-events?limit=100&cursor=${encodeURIComponent(cursor)}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(page.statusCode).toBe(200);
    expect((page.json() as { items: Array<{ id: string }> }).items.map((e) => e.id)).toContain(newest!.id);
  });

  it('refuses a non-empty target and a wrong master key, writing nothing', async () => {
    const master = MasterKey.random();
    const old = await source(master);
    const res = await old.h.gh.app.inject({ method: 'GET', url: '/operator/backup', headers: { authorization: `Bearer ${BACKUP_TOKEN}` } });
    const file = res.rawPayload;

    await expect(restoreBackup(old.h.gh.db, Readable.from(file), master)).rejects.toThrow(/not empty/);

    const fresh = await createTestDb();
    cleanup.push(() => fresh.close().catch(() => {}));
    await expect(restoreBackup(fresh, Readable.from(file), MasterKey.random())).rejects.toThrow(/wrong master key/);
    const [probe] = await fresh.query<{ users: string | null }>(`SELECT to_regclass('users')::text AS users`);
    expect(probe!.users).toBeNull(); // refused before even the migrations ran

    // A truncated file (no end marker) is refused and leaves no row behind.
    const cut = Buffer.from((await import('node:zlib')).gzipSync(gunzipSync(file).toString('utf8').split('\n').filter(Boolean).slice(0, -1).join('\n')));
    await expect(restoreBackup(fresh, Readable.from(cut), master)).rejects.toThrow(/truncated/);
    expect(Number((await fresh.query<{ n: string }>('SELECT count(*) AS n FROM users'))[0]!.n)).toBe(0);
  });

  it('serves /operator/backup only to the bearer of GATEHOUSE_BACKUP_TOKEN (404 otherwise, and when unset)', async () => {
    const { h } = await source(MasterKey.random());
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${BACKUP_TOKEN}`]) {
      const res = await h.gh.app.inject({ method: 'GET', url: '/operator/backup', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: expect.any(String) });
    }
    const unset = await startHarness();
    cleanup.push(() => unset.close());
    const res = await unset.gh.app.inject({ method: 'GET', url: '/operator/backup', headers: { authorization: `Bearer ${BACKUP_TOKEN}` } });
    expect(res.statusCode).toBe(404);
  });

  it('gatehouse restore into an empty data directory with --master-key-file, then backs that directory up again', async () => {
    const master = MasterKey.random();
    const old = await source(master);
    const { file } = await backupUnderLoad(old.h, old.sa);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-restore-'));
    cleanup.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const backupFile = path.join(tmp, 'backup.jsonl.gz');
    fs.writeFileSync(backupFile, file);
    const keyFile = path.join(tmp, 'old-master.key');
    // The key as the old data directory holds it (base64), from the harness's key via a round trip.
    const keyText = exportKey(master);
    fs.writeFileSync(keyFile, keyText);
    const dataDir = path.join(tmp, 'data');
    const env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_ISSUER: ISSUER };

    const wrongKey = path.join(tmp, 'wrong.key');
    fs.writeFileSync(wrongKey, exportKey(MasterKey.random()));
    await expect(restoreDatabase(backupFile, env, { masterKeyFile: wrongKey })).rejects.toThrow(/wrong master key/);
    expect(fs.existsSync(dataDir)).toBe(false); // refused before the directory was made

    const { rows } = await restoreDatabase(backupFile, env, { masterKeyFile: keyFile });
    expect(rows.service_accounts).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8')).toBe(keyText);
    await expect(restoreDatabase(backupFile, env, { masterKeyFile: keyFile })).rejects.toThrow(/not empty/);

    const gh = await createGatehouse({ config: loadConfig(env).config, clock: old.h.clock, passwordCost: { logN: 10, r: 8, p: 1 } });
    await expectCredentialsWork(gh, old);
    await gh.close();

    // Not held by a server: `gatehouse backup` opens the directory itself.
    const again = path.join(tmp, 'again.jsonl.gz');
    const result = await backupDatabase(again, env);
    expect(result.via).toBe('data directory');
    expect(result.rows.service_accounts).toBe(rows.service_accounts);
    expect(result.rows.audit_events).toBeGreaterThan(rows.audit_events!); // the grants just made
  });
});

/** MasterKey keeps its bytes private; the harness key is exported the way master.key stores it. */
function exportKey(master: MasterKey): string {
  return (master as unknown as { key: Buffer }).key.toString('base64');
}
