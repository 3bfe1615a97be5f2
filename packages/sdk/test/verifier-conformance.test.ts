import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type Harness } from '@gatehouse/testkit';
import { type AccessDenied, createVerifier, type RequireOptions, type Verifier } from '../src/index.js';

const CREDENTIAL = 'ghrs_conformance-credential-0123456789abcdef';

/**
 * The verifier must decide exactly as Gatehouse does (ARCHITECTURE property 2). For a set of
 * tokens, after each change made in the console, every route's status at the server is compared
 * with the verifier's answer to the same requirement; they must agree (once the feed has delivered
 * the change, within a second).
 */
describe("verifier conformance with the server's own access decision", () => {
  let h: Harness & { url: string };
  let v: Verifier;
  let otherOrg: string;
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
    otherOrg = await h.createOrg('Conformance other org');
    v = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL, now: () => h.clock.now().getTime() });
    await v.start();
  });
  afterAll(async () => {
    await v?.close();
    await h?.close();
  });

  /** Each route the server serves, and the requirement a resource server would declare for it. */
  const routes = (): Array<{ method: string; url: string; require: RequireOptions }> => [
    { method: 'GET', url: '/api/v1/assets', require: { scope: 'assets:read' } },
    { method: 'GET', url: '/api/v1/audit-events', require: { scope: 'audit-log:read' } },
    { method: 'GET', url: `/sbom/v1/orgs/${h.orgId}/buckets`, require: { orgId: h.orgId, scope: 'sbom.buckets:read' } },
    { method: 'POST', url: `/sbom/v1/orgs/${h.orgId}/buckets`, require: { orgId: h.orgId, scope: 'sbom.buckets:write' } },
    { method: 'GET', url: `/sbom/v1/orgs/${otherOrg}/buckets`, require: { orgId: otherOrg, scope: 'sbom.buckets:read' } },
  ];

  let n = 0;
  const serverStatus = async (method: string, url: string, token: string) => {
    // A POST that the server admits creates a bucket: a fresh name each time keeps it a 201.
    const res = await h.api(method, url, token, method === 'POST' ? { name: `conformance-${++n}` } : undefined);
    return res.statusCode >= 200 && res.statusCode < 300 ? 200 : res.statusCode;
  };
  const verifierStatus = (token: string, require: RequireOptions) =>
    v.verify(`Bearer ${token}`, require).then(
      () => 200,
      (e: AccessDenied) => e.status,
    );

  /** Every route agrees, within a second of the last change (each pair is retried until then). */
  async function agree(tokens: Record<string, string>) {
    const deadline = performance.now() + 1000;
    const rows: string[] = [];
    for (const [name, token] of Object.entries(tokens)) {
      for (const r of routes()) {
        for (;;) {
          const [s, vs] = [await serverStatus(r.method, r.url, token), await verifierStatus(token, r.require)];
          if (s === vs) break;
          if (performance.now() > deadline) {
            rows.push(`${name} ${r.method} ${r.url}: server ${s}, verifier ${vs}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    expect(rows).toEqual([]);
  }

  it('agrees on every route through disables, scope changes, role changes, removal and deactivation', async () => {
    const sa = await h.createServiceAccount(['assets:read', 'sbom.buckets:read', 'sbom.buckets:write']);
    const foreignSa = await h.createServiceAccount(['sbom.buckets:read'], {}, otherOrg);
    const member = await h.addUser('member');
    const viewer = await h.addUser('viewer');
    const tokens = {
      'service account': await h.accessToken(sa.clientId, sa.clientSecret),
      'narrowed service-account token': await h.accessToken(sa.clientId, sa.clientSecret, 'sbom.buckets:read'),
      "other org's service account": await h.accessToken(foreignSa.clientId, foreignSa.clientSecret),
      member: await h.userAccessToken((await h.createRefreshToken(member)).refreshToken),
      viewer: await h.userAccessToken((await h.createRefreshToken(viewer)).refreshToken),
      owner: await h.userAccessToken((await h.createRefreshToken()).refreshToken),
      'owner, narrowed to read in one org': await h.userAccessToken(
        (await h.createRefreshToken(h.owner, { scopes: ['sbom.buckets:read'], orgIds: [h.orgId] })).refreshToken,
      ),
      'not a token': 'x.y.z',
    };
    await agree(tokens);

    const console = (method: string, url: string, body?: unknown) => h.owner.request(method, url, body);
    await console('PATCH', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}`, { scopes: ['assets:read'] });
    await console('PATCH', `/console/api/orgs/${h.orgId}/members/${member.userId}`, { role: 'viewer' });
    await console('PATCH', `/console/api/orgs/${h.orgId}/members/${viewer.userId}`, { role: 'member' });
    await agree(tokens);

    await console('POST', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/disable`);
    await console('DELETE', `/console/api/orgs/${h.orgId}/members/${member.userId}`);
    await console('POST', `/console/api/orgs/${h.orgId}/members/${viewer.userId}/deactivate`);
    await console('DELETE', `/console/api/orgs/${otherOrg}/service-accounts/${foreignSa.clientId}`);
    await agree(tokens);

    await console('POST', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/enable`);
    await console('POST', `/console/api/orgs/${h.orgId}/members/${viewer.userId}/reactivate`);
    await agree(tokens);

    // Past every token's expiry, by the same injected clock.
    h.clock.advance(3601);
    try {
      await agree(tokens);
    } finally {
      h.clock.advance(-3601);
    }
  });
});
