import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 14 item 5: the audit log's action filter matches prefixes — `token` finds token.grant and
 * token.deny, `token.grant` still exactly that — on the console, /manage/v1 and the SIEM export alike.
 */
describe('audit log: the action filter matches prefixes', () => {
  let h: Harness;
  let manageToken: string;
  let exportToken: string;

  beforeAll(async () => {
    h = await startHarness();
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    exportToken = await h.accessToken(clientId, clientSecret);
    expect((await h.token(clientId, 'wrong-secret')).statusCode).toBe(401);
    manageToken = await h.userAccessToken((await h.createRefreshToken()).refreshToken);
  });
  afterAll(() => h?.close());

  const actions = async (door: 'console' | 'manage' | 'export', action: string) => {
    const q = `?action=${encodeURIComponent(action)}&limit=500`;
    const res =
      door === 'console'
        ? await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events${q}`)
        : door === 'manage'
          ? await h.api('GET', `/manage/v1/orgs/${h.orgId}/audit-events${q}`, manageToken)
          : await h.api('GET', `/api/v1/audit-events${q}`, exportToken);
    expect(res.statusCode, res.body).toBe(200);
    return new Set((res.json() as { items: Array<{ action: string }> }).items.map((e) => e.action));
  };

  it.each(['console', 'manage', 'export'] as const)('%s: `token` finds grants and denials, `token.grant` only grants', async (door) => {
    expect(await actions(door, 'token')).toEqual(new Set(['token.grant', 'token.deny']));
    expect(await actions(door, 'token.grant')).toEqual(new Set(['token.grant']));
    expect(await actions(door, 'service_account')).toEqual(new Set(['service_account.create']));
  });

  it('LIKE wildcards are plain characters, not patterns', async () => {
    expect(await actions('console', '%')).toEqual(new Set());
    expect(await actions('console', '_oken')).toEqual(new Set());
    expect(await actions('console', 'token.%')).toEqual(new Set());
  });
});
