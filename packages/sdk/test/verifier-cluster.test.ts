import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSession, msUntil, scratchDatabase, startServer, token, type ServerProcess } from '@gatehouse/testkit/cluster';
import { type AccessDenied, createVerifier, type Verifier } from '../src/index.js';

const CREDENTIAL = 'ghrs_cluster-verifier-credential-0123456789ab';
const ISSUER = 'http://gatehouse.cluster.test';

/**
 * §9 with a resource server: two real server processes on one PostgreSQL, the verifier subscribed
 * to B's state feed, every change made through A. PostgreSQL project only (PGlite is one process).
 */
describe.skipIf(process.env.GATEHOUSE_TEST_DRIVER !== 'postgres')('verifier on instance B, changes made on instance A', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let v: Verifier;
  let owner: Awaited<ReturnType<typeof consoleSession>>;

  beforeAll(async () => {
    db = await scratchDatabase();
    const env = { GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` };
    a = await startServer(db.url, env);
    b = await startServer(db.url, env);
    owner = await consoleSession(a.url);
    v = createVerifier({ issuer: ISSUER, url: b.url, feedCredential: CREDENTIAL });
    await v.start();
  }, 90_000);
  afterAll(async () => {
    await v?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  const status = (t: string, require = {}) =>
    v.verify(`Bearer ${t}`, require).then(
      () => 200,
      (e: AccessDenied) => e.status,
    );

  it('a disable on A is refused by the verifier within one second', async () => {
    const sa = (await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts`, { name: 'verifier cluster', scopes: ['audit-log:read'] })).json;
    const t = (await token(a.url, { grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret })).json.access_token!;
    await msUntil(async () => (await status(t)) === 200, 2000);
    expect((await owner.call('POST', `/console/api/orgs/${owner.orgId}/service-accounts/${sa.clientId}/disable`)).status).toBe(200);
    expect(await msUntil(async () => (await status(t)) === 401)).toBeLessThan(1000);
  });

  it('a role change on A narrows the user at the verifier within one second', async () => {
    // [P2] People join by invitation only: the owner invites, the person accepts with their own password.
    const invited = await owner.call('POST', `/console/api/orgs/${owner.orgId}/invitations`, { email: 'verifier-member@cluster.test', role: 'member' });
    expect(invited.status).toBe(201);
    const secret = String(invited.json.inviteUrl).split('/invite/')[1];
    const accepted = await fetch(`${a.url}/console/api/invitations/${secret}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Member', password: 'member password 123' }),
    });
    expect(accepted.status).toBe(201);
    const added = { json: { userId: ((await accepted.json()) as { user: { id: string } }).user.id } };
    const member = await consoleSession(a.url, 'verifier-member@cluster.test', 'member password 123');
    const rt = (await member.call('POST', '/console/api/me/refresh-tokens', { name: 'cluster' })).json.refreshToken;
    const t = (await token(a.url, { grant_type: 'refresh_token', refresh_token: rt })).json.access_token!;
    const write = { orgId: owner.orgId, scope: 'sbom.buckets:write' };
    await msUntil(async () => (await status(t, write)) === 200, 2000);
    expect((await owner.call('PATCH', `/console/api/orgs/${owner.orgId}/members/${added.json.userId}`, { role: 'viewer' })).status).toBe(200);
    expect(await msUntil(async () => (await status(t, write)) === 403)).toBeLessThan(1000);
  });
});
