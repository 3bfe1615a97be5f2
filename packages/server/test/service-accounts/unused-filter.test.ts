import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/** Issue 14 item 5: the credentials list's filter for accounts unused for 30 days (never used, or last grant older). */
describe('service accounts unused for N days', () => {
  let h: Harness;
  let orgId: string;
  const DAY = 86_400;
  const ids: Record<'never' | 'old' | 'recent', string> = { never: '', old: '', recent: '' };

  beforeAll(async () => {
    h = await startHarness();
    orgId = await h.createOrg('Unused org');
    const secrets: Record<string, string> = {};
    for (const name of ['never', 'old', 'recent'] as const) {
      const res = await h.owner.request('POST', `/console/api/orgs/${orgId}/service-accounts`, { name, scopes: ['assets:read'] });
      const body = res.json() as { clientId: string; clientSecret: string };
      ids[name] = body.clientId;
      secrets[name] = body.clientSecret;
    }
    // "old" is last used 40 days before "recent"; "never" never.
    expect((await h.token(ids.old, secrets.old!)).statusCode).toBe(200);
    h.clock.advance(40 * DAY);
    expect((await h.token(ids.recent, secrets.recent!)).statusCode).toBe(200);
    h.clock.advance(DAY);
  });
  afterAll(() => h?.close());

  const names = (body: { items: Array<{ id: string }> }) => body.items.map((a) => Object.entries(ids).find(([, id]) => id === a.id)?.[0]);

  it('lists the never-used account and the one last used 41 days ago, not the one used yesterday, on both doors', async () => {
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const all = await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts`);
    expect(names(all.json())).toEqual(['never', 'old', 'recent']);
    const unused = await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?unusedForDays=30`);
    expect(unused.statusCode, unused.body).toBe(200);
    expect(names(unused.json())).toEqual(['never', 'old']);
    // 45 days: the account used 41 days ago no longer counts as unused.
    expect(names((await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?unusedForDays=45`)).json())).toEqual(['never']);

    const token = await h.userAccessToken((await h.createRefreshToken(owner)).refreshToken);
    const viaManage = await h.api('GET', `/manage/v1/orgs/${orgId}/service-accounts?unusedForDays=30`, token);
    expect(viaManage.json()).toEqual(unused.json());
  });

  it('pages the filtered list, and its cursor is refused on the whole list', async () => {
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const first = (await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?unusedForDays=30&limit=1`)).json();
    expect(names(first)).toEqual(['never']);
    const second = await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?unusedForDays=30&limit=1&cursor=${first.nextCursor}`);
    expect(names(second.json())).toEqual(['old']);
    const replayed = await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?limit=1&cursor=${first.nextCursor}`);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json()).toMatchObject({ error: 'invalid_cursor' });
  });

  it.each(['0', '-1', '1.5', 'abc', '100000'])('unusedForDays=%s is 400', async (value) => {
    const owner = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const res = await owner.request('GET', `/console/api/orgs/${orgId}/service-accounts?unusedForDays=${value}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
