import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSession, MASTER_KEY, msUntil, scratchDatabase, startServer, token, type ServerProcess } from './processes.js';

const run = promisify(execFile);

/**
 * §9 and issue 6: two real server processes on one PostgreSQL. A change made through one holds
 * on the other within one second, whichever kind of change it is.
 */
describe('two instances on one PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let owner: Awaited<ReturnType<typeof consoleSession>>;

  beforeAll(async () => {
    db = await scratchDatabase();
    a = await startServer(db.url);
    b = await startServer(db.url);
    owner = await consoleSession(a.url);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  const createAccount = async (scopes: string[]) => {
    const res = await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: 'cluster test', scopes });
    expect(res.status).toBe(201);
    return res.json as { clientId: string; clientSecret: string };
  };
  const status = (url: string, path: string, bearer: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } }).then(
      (r) => r.status,
    );

  it('a disable on A makes B refuse the live token within one second', async () => {
    const sa = await createAccount(['audit-log:read']);
    const t = await token(a.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
    expect(await status(b.url, '/api/v1/auth/validate', t.json.access_token!)).toBe(200); // B has it cached now
    expect((await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}/disable`)).status).toBe(200);
    const ms = await msUntil(async () => (await status(b.url, '/api/v1/auth/validate', t.json.access_token!)) === 401);
    expect(ms).toBeLessThan(1000);
    expect((await token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).json.error).toBe(
      'invalid_client',
    );
  });

  it('an immediate rotation on A makes B refuse the old secret within one second', async () => {
    const sa = await createAccount(['audit-log:read']);
    expect((await token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).status).toBe(200);
    const rotated = await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}/rotate-secret`, { graceSeconds: 0 });
    expect(rotated.status).toBe(200);
    const ms = await msUntil(
      async () => (await token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).status === 401,
    );
    expect(ms).toBeLessThan(1000);
    expect((await token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: rotated.json.clientSecret })).status).toBe(200);
  });

  it('a scope narrowing on A narrows the live token on B within one second', async () => {
    const sa = await createAccount(['audit-log:read', 'assets:read']);
    const t = (await token(a.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).json.access_token!;
    expect(await status(b.url, '/api/v1/assets', t)).toBe(200);
    await owner.call('PATCH', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}`, { scopes: ['audit-log:read'] });
    expect(await msUntil(async () => (await status(b.url, '/api/v1/assets', t)) === 403)).toBeLessThan(1000);
  });

  it('a role change, then a deactivation, on A reach a user token on B within one second; a revocation too', async () => {
    // [P2] People join by invitation only: the owner invites, the person accepts with their own password.
    const invited = await owner.call('POST', `/console/api/orgs/${owner.orgId}/invitations`, { email: 'dev@cluster.test', role: 'member' });
    expect(invited.status).toBe(201);
    const secret = String(invited.json.inviteUrl).split('/invite/')[1];
    const accepted = await fetch(`${a.url}/console/api/invitations/${secret}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Member', password: 'a long enough password' }),
    });
    expect(accepted.status).toBe(201);
    const added = { json: { userId: ((await accepted.json()) as { user: { id: string } }).user.id } };
    const dev = await consoleSession(a.url, 'dev@cluster.test', 'a long enough password');
    const rt = (await dev.call('POST', '/console/api/me/refresh-tokens', { name: 'laptop' })).json.refreshToken as string;
    const t = (await token(b.url, { grant_type: 'refresh_token', refresh_token: rt })).json.access_token!;
    const buckets = `/sbom/v1/orgs/${owner.orgId}/buckets`;
    let n = 0;
    const write = () => status(b.url, buckets, t, { method: 'POST', body: JSON.stringify({ name: `bucket-${++n}` }) });
    expect(await write()).toBe(201);
    await owner.call('PATCH', `/console/api/orgs/${owner.orgId}/members/${added.json.userId}`, { role: 'viewer' });
    expect(await msUntil(async () => (await write()) === 403)).toBeLessThan(1000);
    await owner.call('POST', `/console/api/orgs/${owner.orgId}/members/${added.json.userId}/deactivate`);
    expect(await msUntil(async () => (await status(b.url, buckets, t)) === 401)).toBeLessThan(1000);
    expect((await token(b.url, { grant_type: 'refresh_token', refresh_token: rt })).json.error).toBe('invalid_grant');
  });

  it('a signing-key rotation on A is published by B before any token it signs', async () => {
    const sa = await createAccount(['audit-log:read']);
    const before = (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()).keys.length as number;
    // Rotate through the operator command (a separate process, as an operator would run it).
    const out = await run(process.execPath, ['--import', 'tsx', 'src/operator/main.ts', 'keys', 'rotate'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, GATEHOUSE_MASTER_KEY: MASTER_KEY },
    });
    expect(out.stdout).toMatch(/^rotated: key_\w+ is published now and signs from /);
    expect(await msUntil(async () => (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()).keys.length === before + 1)).toBeLessThan(1000);
    // The new key does not sign yet: tokens from either instance still carry a published, older kid.
    const t = (await token(b.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).json.access_token!;
    expect(await status(a.url, '/api/v1/auth/validate', t)).toBe(200);
  });

  it('an acknowledged grant survives kill -9 of the instance that answered it', async () => {
    const sa = await createAccount(['audit-log:read']);
    const c = await startServer(db.url);
    const t = await token(c.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
    expect(t.status).toBe(200);
    await c.kill9();
    const jti = JSON.parse(Buffer.from(t.json.access_token!.split('.')[1]!, 'base64url').toString()).jti as string;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = await client.query('SELECT action FROM audit_events WHERE target_id = $1', [jti]);
    await client.end();
    expect(rows.rows).toEqual([{ action: 'token.grant' }]);
  });
});
