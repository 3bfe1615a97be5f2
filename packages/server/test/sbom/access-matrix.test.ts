import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, ROLES, type Role } from '../../src/catalogue/scopes.js';
import { startHarness, type ConsoleSession, type Harness } from '../support/harness.js';

/**
 * The role matrix (each role × each SBOM and console route, §6) and the cross-tenant matrix (a
 * user and a service account of organization A against every organization-B path: 404, nothing
 * changed, §5). One server for the whole file; every case that changes something gets its own target.
 */
describe('role and tenant matrices', () => {
  let h: Harness;
  let sessions: Record<Role, ConsoleSession>;
  let userTokens: Record<Role, string>;
  let seq = 0;
  const unique = () => `b-${++seq}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    h = await startHarness();
    sessions = { owner: h.owner } as Record<Role, ConsoleSession>;
    for (const role of ROLES.filter((r) => r !== 'owner')) sessions[role] = await h.addUser(role);
    userTokens = {} as Record<Role, string>;
    for (const role of ROLES) userTokens[role] = await h.userAccessToken((await h.createRefreshToken(sessions[role])).refreshToken);
  });
  afterAll(async () => {
    await h?.close();
  });

  const buckets = (org: string) => `/sbom/v1/orgs/${org}/buckets`;
  const newBucket = async (org = h.orgId) => {
    const res = await h.api('POST', buckets(org), userTokens.owner, { name: unique() });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const newTarget = async () => (await h.addUser('viewer')).userId;
  const newAccount = async () => (await h.createServiceAccount(['assets:read'])).clientId;

  /** [route, the least role allowed, a call as `role`]. */
  type Case = [string, Role, (role: Role) => Promise<{ statusCode: number }>];
  const sbomCases: Case[] = [
    ['GET buckets', 'viewer', (r) => h.api('GET', buckets(h.orgId), userTokens[r])],
    ['GET bucket', 'viewer', async (r) => h.api('GET', `${buckets(h.orgId)}/${await newBucket()}`, userTokens[r])],
    ['POST buckets', 'member', (r) => h.api('POST', buckets(h.orgId), userTokens[r], { name: unique() })],
    ['DELETE bucket', 'member', async (r) => h.api('DELETE', `${buckets(h.orgId)}/${await newBucket()}`, userTokens[r])],
  ];
  const org = () => `/console/api/orgs/${h.orgId}`;
  const consoleCases: Case[] = [
    ['GET org', 'viewer', (r) => sessions[r].request('GET', org())],
    ['PATCH org', 'owner', (r) => sessions[r].request('PATCH', org(), { name: 'My organization' })],
    ['GET members', 'viewer', (r) => sessions[r].request('GET', `${org()}/members`)],
    ['POST invitations', 'owner', (r) => sessions[r].request('POST', `${org()}/invitations`, { email: `${unique()}@example.test`, role: 'viewer' })],
    ['PATCH member', 'owner', async (r) => sessions[r].request('PATCH', `${org()}/members/${await newTarget()}`, { role: 'member' })],
    ['DELETE member', 'owner', async (r) => sessions[r].request('DELETE', `${org()}/members/${await newTarget()}`)],
    ['POST member deactivate', 'owner', async (r) => sessions[r].request('POST', `${org()}/members/${await newTarget()}/deactivate`)],
    ['GET service accounts', 'admin', (r) => sessions[r].request('GET', `${org()}/service-accounts`)],
    ['POST service accounts', 'admin', (r) => sessions[r].request('POST', `${org()}/service-accounts`, { name: 'x', scopes: ['assets:read'] })],
    ['POST rotate-secret', 'admin', async (r) => sessions[r].request('POST', `${org()}/service-accounts/${await newAccount()}/rotate-secret`, {})],
    ['POST disable', 'admin', async (r) => sessions[r].request('POST', `${org()}/service-accounts/${await newAccount()}/disable`)],
    ['DELETE service account', 'admin', async (r) => sessions[r].request('DELETE', `${org()}/service-accounts/${await newAccount()}`)],
    ['GET audit events', 'admin', (r) => sessions[r].request('GET', `${org()}/audit-events`)],
    ['GET my refresh tokens', 'viewer', (r) => sessions[r].request('GET', '/console/api/me/refresh-tokens')],
  ];

  const rank = (r: Role) => ROLES.indexOf(r);
  for (const [name, least, call] of [...sbomCases, ...consoleCases]) {
    for (const role of ROLES) {
      const allowed = rank(role) >= rank(least);
      it(`${name} as ${role}: ${allowed ? 'allowed' : '403'}`, async () => {
        const res = await call(role);
        if (allowed) expect(res.statusCode).toBeLessThan(300);
        else expect(res.statusCode).toBe(403);
      });
    }
  }

  it('service accounts of the organization are admitted on /sbom/v1 by scope', async () => {
    const reader = await h.createServiceAccount(['sbom.buckets:read']);
    const token = await h.accessToken(reader.clientId, reader.clientSecret);
    expect((await h.api('GET', buckets(h.orgId), token)).statusCode).toBe(200);
    const denied = await h.api('POST', buckets(h.orgId), token, { name: unique() });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toContain('scope="sbom.buckets:write"');
    const writer = await h.createServiceAccount(['sbom.buckets:write']);
    const created = await h.api('POST', buckets(h.orgId), await h.accessToken(writer.clientId, writer.clientSecret), {
      name: 'from-ci',
      description: 'made by CI',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: expect.stringMatching(/^bkt_/),
      orgId: h.orgId,
      name: 'from-ci',
      description: 'made by CI',
      createdBy: writer.clientId,
    });
  });

  it('buckets page with cursors, refuse duplicates and bad names, and writes are audited by name', async () => {
    const other = await h.createOrg('Paging');
    const names = Array.from({ length: 5 }, (_, i) => `page-${i}`);
    for (const name of names) await h.api('POST', buckets(other), userTokens.owner, { name });
    const token = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
    const first = (await h.api('GET', `${buckets(other)}?limit=2`, token)).json();
    const second = (await h.api('GET', `${buckets(other)}?limit=2&cursor=${first.nextCursor}`, token)).json();
    const third = (await h.api('GET', `${buckets(other)}?limit=2&cursor=${second.nextCursor}`, token)).json();
    expect([...first.items, ...second.items, ...third.items].map((b: { name: string }) => b.name)).toEqual(names);
    expect(third.nextCursor).toBeNull();
    // A cursor of one organization's list is refused on another's.
    expect((await h.api('GET', `${buckets(h.orgId)}?cursor=${first.nextCursor}`, token)).statusCode).toBe(400);
    const dup = await h.api('POST', buckets(other), token, { name: 'page-0' });
    expect(dup.statusCode).toBe(409);
    for (const name of ['A', 'UPPER', '-lead', 'has space', 'x'.repeat(64)]) {
      expect((await h.api('POST', buckets(other), token, { name })).statusCode).toBe(400);
    }
    const audit = (await h.owner.request('GET', `/console/api/orgs/${other}/audit-events?action=sbom_bucket.create`)).json().items;
    expect(audit).toHaveLength(5);
    expect(audit[0].actor).toEqual({ type: 'user', id: h.owner.userId, name: 'owner@example.test' });
  });

  describe('cross-tenant: organization A against organization B', () => {
    let orgB: string;
    let bucketB: string;
    let memberB: string;
    let accountB: string;
    let attacker: ConsoleSession;
    let attackerToken: string;
    let accountToken: string;

    beforeAll(async () => {
      orgB = await h.createOrg('Tenant B');
      bucketB = await newBucket(orgB);
      memberB = (await h.addUser('member', orgB)).userId;
      accountB = (await h.createServiceAccount(['assets:read'], {}, orgB)).clientId;
      attacker = await h.addUser('owner'); // owner of A, nothing in B
      attackerToken = await h.userAccessToken((await h.createRefreshToken(attacker)).refreshToken);
      const sa = await h.createServiceAccount(ALL_SCOPES.slice());
      accountToken = await h.accessToken(sa.clientId, sa.clientSecret);
    });

    const snapshotB = async () =>
      JSON.stringify([
        (await h.owner.request('GET', `/console/api/orgs/${orgB}`)).json(),
        (await h.owner.request('GET', `/console/api/orgs/${orgB}/members`)).json(),
        (await h.owner.request('GET', `/console/api/orgs/${orgB}/service-accounts`)).json(),
        (await h.api('GET', buckets(orgB), userTokens.owner)).json(),
        (await h.owner.request('GET', `/console/api/orgs/${orgB}/audit-events?limit=200`)).json().items.length,
      ]);

    it("every organization-B path answers 404 to A's user and A's service account, and B is unchanged", async () => {
      const before = await snapshotB();
      const b = `/console/api/orgs/${orgB}`;
      const bearerCalls: Array<[string, string, unknown?]> = [
        ['GET', buckets(orgB)],
        ['GET', `${buckets(orgB)}/${bucketB}`],
        ['POST', buckets(orgB), { name: 'intruder' }],
        ['DELETE', `${buckets(orgB)}/${bucketB}`],
      ];
      for (const token of [attackerToken, accountToken]) {
        for (const [method, url, body] of bearerCalls) {
          const res = await h.api(method, url, token, body);
          expect(res.statusCode, `${method} ${url}`).toBe(404);
          expect(res.json().error).toBe('not_found');
        }
      }
      const consoleCalls: Array<[string, string, unknown?]> = [
        ['GET', b],
        ['PATCH', b, { name: 'Owned' }],
        ['GET', `${b}/members`],
        ['POST', `${b}/invitations`, { email: 'intruder@example.test', role: 'owner' }],
        ['PATCH', `${b}/members/${memberB}`, { role: 'viewer' }],
        ['DELETE', `${b}/members/${memberB}`],
        ['POST', `${b}/members/${memberB}/deactivate`],
        ['GET', `${b}/service-accounts`],
        ['POST', `${b}/service-accounts`, { name: 'x', scopes: ['assets:read'] }],
        ['GET', `${b}/service-accounts/${accountB}`],
        ['PATCH', `${b}/service-accounts/${accountB}`, { name: 'x' }],
        ['POST', `${b}/service-accounts/${accountB}/rotate-secret`, {}],
        ['POST', `${b}/service-accounts/${accountB}/disable`],
        ['DELETE', `${b}/service-accounts/${accountB}`],
        ['GET', `${b}/audit-events`],
      ];
      for (const [method, url, body] of consoleCalls) {
        const res = await attacker.request(method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
      // Narrowing a refresh token to B is refused too.
      expect((await attacker.request('POST', '/console/api/me/refresh-tokens', { name: 'x', orgIds: [orgB] })).statusCode).toBe(400);
      expect(await snapshotB()).toBe(before);
    });
  });
});
