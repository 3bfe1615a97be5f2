import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { RESOURCES, type ResourceDef } from '../../src/reference-api/catalogue.js';
import { recordStore } from '../../src/reference-api/store.js';
import { startHarness, type Harness } from '../support/harness.js';

/** A valid body for each writable resource, so the matrix reaches the access decision on writes. */
const VALID: Record<string, Record<string, unknown>> = {
  'governance/evidence-claims': { requirementId: 'evr_x', summary: 'Exported access review' },
  'governance/findings': { title: 'Open S3 bucket', severity: 'high' },
  'governance/submission-packages/:parentId/events': { type: 'submitted' },
  webhooks: { url: 'https://hooks.example.test/gatehouse', events: ['finding.created'] },
};

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: (ids: Ids) => string;
  scope: string;
  body?: Record<string, unknown>;
  def: ResourceDef;
}
interface Ids {
  record: string;
  parent: string;
}
/** One real record of the first organization per resource, keyed by resource path. */
const records = new Map<string, string>();

/** Every route the catalogue table produces, with the scope it needs. */
function routesOf(def: ResourceDef): Route[] {
  const base = (ids: Ids) => `/api/v1/${def.path.replace(':parentId', ids.parent)}`;
  const routes: Route[] = [
    { method: 'GET', url: base, scope: def.read, def },
    { method: 'GET', url: (ids) => `${base(ids)}/${ids.record}`, scope: def.read, def },
  ];
  if (def.create) routes.push({ method: 'POST', url: base, scope: def.write!, body: VALID[def.path], def });
  if (def.update) routes.push({ method: 'PATCH', url: (ids) => `${base(ids)}/${ids.record}`, scope: def.write!, body: VALID[def.path], def });
  if (def.deletable) routes.push({ method: 'DELETE', url: (ids) => `${base(ids)}/${ids.record}`, scope: def.write!, def });
  return routes;
}
const ROUTES = RESOURCES.flatMap(routesOf);

/**
 * The same security matrix on every reference route (ARCHITECTURE habits): no token, a bad token,
 * the wrong organization, a missing scope, a disabled account, a console cookie.
 */
describe('reference API security matrix', () => {
  let h: Harness;
  let ids: Ids;
  const ALL = [...new Set(RESOURCES.flatMap((r) => [r.read, r.write].filter((s): s is NonNullable<typeof s> => !!s)))];
  let allToken: string;
  let other: { orgId: string; token: string };
  /** A token holding every scope but one, minted once per scope the table names. */
  const lackingTokens = new Map<string, Promise<string>>();
  const lacking = (scope: string) => {
    if (!lackingTokens.has(scope)) {
      lackingTokens.set(
        scope,
        h.createServiceAccount(ALL.filter((s) => s !== scope)).then((sa) => h.accessToken(sa.clientId, sa.clientSecret)),
      );
    }
    return lackingTokens.get(scope)!;
  };
  let disabledToken: string;

  beforeAll(async () => {
    h = await startHarness();
    const sa = await h.createServiceAccount(ALL);
    allToken = await h.accessToken(sa.clientId, sa.clientSecret);
    const [pkg] = (await h.api('GET', '/api/v1/governance/submission-packages', allToken)).json().items;
    ids = { record: 'x_01EXAMPLE00000000000000000', parent: pkg.id };
    for (const def of RESOURCES) {
      const id = newId(def.prefix);
      const parentId = def.parent ? pkg.id : null;
      await recordStore.insert(
        h.gh.db,
        { orgId: h.orgId, resource: def.path, parentId, ownerId: null },
        { id, data: { name: 'first org' }, at: h.clock.now(), by: sa.clientId },
      );
      records.set(def.path, id);
    }
    const otherOrg = await h.createOrg();
    const osa = await h.createServiceAccount(ALL, {}, otherOrg);
    other = { orgId: otherOrg, token: await h.accessToken(osa.clientId, osa.clientSecret) };
    const dsa = await h.createServiceAccount(ALL);
    disabledToken = await h.accessToken(dsa.clientId, dsa.clientSecret);
    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${dsa.clientId}/disable`);
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = (r: Route, headers: Record<string, string>) =>
    h.gh.app.inject({ method: r.method, url: r.url(ids), headers, ...(r.body ? { payload: r.body } : {}) });

  it.each(ROUTES.map((r) => [`${r.method} /api/v1/${r.def.path}${r.url({ record: ':id', parent: ':parentId' }).endsWith(':id') ? '/:id' : ''}`, r] as const))(
    '%s',
    async (_name, r) => {
      const check401 = async (headers: Record<string, string>, label: string) => {
        const res = await call(r, headers);
        expect(res.statusCode, label).toBe(401);
        expect(res.headers['www-authenticate'], label).toContain('error="invalid_token"');
        expect(res.json().error, label).toBe('invalid_token');
      };
      await check401({}, 'no token');
      await check401({ authorization: 'Bearer not-a-jwt' }, 'garbage token');
      await check401({ authorization: `Bearer ${allToken.slice(0, -4)}AAAA` }, 'bad signature');
      await check401({ authorization: `Bearer ${disabledToken}` }, 'disabled account');
      await check401({ cookie: h.owner.cookie, 'x-csrf-token': h.owner.csrfToken }, 'console cookie');

      // Another organization's token with every scope: the first organization's record is not there.
      const mine = { ...ids, record: records.get(r.def.path)! };
      const foreign = await h.gh.app.inject({
        method: r.method,
        url: r.url(mine),
        headers: { authorization: `Bearer ${other.token}` },
        ...(r.body ? { payload: r.body } : {}),
      });
      if (r.def.parent || r.url(mine).endsWith(mine.record)) {
        expect(foreign.statusCode, 'other organization').toBe(404);
      } else if (r.method === 'GET') {
        expect(foreign.statusCode, 'other organization').toBe(200);
        expect(
          foreign.json().items.map((i: { id: string }) => i.id),
          'other organization',
        ).not.toContain(mine.record);
      } else {
        // A create by the other organization lands in its own organization, never in this one.
        expect(foreign.statusCode, 'other organization').toBe(201);
        const [row] = await h.gh.db.query<{ org_id: string }>('SELECT org_id FROM records WHERE id = $1', [foreign.json().id]);
        expect(row?.org_id, 'other organization').toBe(other.orgId);
      }
      const still = await h.gh.db.query<{ data: unknown }>('SELECT data FROM records WHERE id = $1', [mine.record]);
      expect(still, 'nothing changed').toEqual([{ data: { name: 'first org' } }]);

      // A token holding every scope but the one this route needs: 403 naming it (§5, RFC 6750 §3.1).
      const refused = await call(r, { authorization: `Bearer ${await lacking(r.scope)}` });
      expect(refused.statusCode, 'missing scope').toBe(403);
      expect(refused.headers['www-authenticate'], 'missing scope').toContain('error="insufficient_scope"');
      expect(refused.headers['www-authenticate'], 'missing scope').toContain(`scope="${r.scope}"`);
      expect(refused.json().error, 'missing scope').toBe('insufficient_scope');
    },
  );
});
