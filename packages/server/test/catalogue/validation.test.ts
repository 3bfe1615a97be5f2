import { describe, expect, it } from 'vitest';
import { loadCatalogueFile } from '../../src/catalogue/load.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { createGatehouse } from '../../src/gatehouse.js';
import { TWO_APIS, writeCatalogue } from './fixtures.js';

/** One valid API around `routes`/`scopes` edits, as JSON (the loader reads JSON too). */
const api = (over: Record<string, unknown> = {}) => ({
  id: 'orders',
  audience: 'https://orders.example.com',
  scopes: [
    { name: 'orders:read', description: 'Read.' },
    { name: 'orders:write', description: 'Write.' },
  ],
  routes: [{ method: 'GET', path: '/orgs/{orgId}/orders', scope: 'orders:read', org: 'orgId' }],
  ...over,
});
const file = (apis: unknown[], rest: Record<string, unknown> = {}) => JSON.stringify({ apis, ...rest });
const route = (r: Record<string, unknown>) => api({ routes: [{ method: 'GET', path: '/v1/orders', scope: 'orders:read', ...r }] });

/** [C2] Every way a catalogue can be wrong, each refused with the place named. */
const INVALID: Array<[string, string, RegExp]> = [
  ['an unknown top-level key', file([api()], { extra: 1 }), /catalogue\.json: extra: unknown key/],
  ['an unknown API key', file([api({ owner: 'me' })]), /apis\[0\]\.owner: unknown key/],
  ['an unknown scope key', file([api({ scopes: [{ name: 'orders:read', description: 'x', hidden: true }] })]), /apis\[0\]\.scopes\[0\]\.hidden: unknown key/],
  ['an unknown route key', file([route({ auth: 'none' })]), /apis\[0\]\.routes\[0\]\.auth: unknown key/],
  ['no APIs', file([]), /apis: must be a non-empty list/],
  ['a bad id', file([api({ id: 'Orders_API' })]), /apis\[0\]\.id: must match \[a-z0-9-\]\+/],
  [
    'a duplicate id',
    file([api(), api({ audience: 'https://b.example.com', scopes: [{ name: 'b:read', description: 'b' }], routes: [] })]),
    /apis\[1\]\.id: "orders" is the id of another API/,
  ],
  ['a relative audience', file([api({ audience: 'orders' })]), /apis\[0\]\.audience: "orders" is not an absolute URL/],
  ['an audience with a fragment', file([api({ audience: 'https://o.example.com/#x' })]), /apis\[0\]\.audience: .*fragment/],
  ['a duplicate audience', file([api(), api({ id: 'b', scopes: [{ name: 'b:read', description: 'b' }], routes: [] })]), /apis\[1\]\.audience: .* another API/],
  [
    'a scope name without an action',
    file([api({ scopes: [{ name: 'orders', description: 'x' }], routes: [] })]),
    /apis\[0\]\.scopes\[0\]\.name: must be <resource>:<action>/,
  ],
  ['a scope without a description', file([api({ scopes: [{ name: 'orders:read' }] })]), /apis\[0\]\.scopes\[0\]\.description: must be a non-empty string/],
  [
    'a duplicate scope within an API',
    file([
      api({
        scopes: [
          { name: 'orders:read', description: 'a' },
          { name: 'orders:read', description: 'b' },
        ],
      }),
    ]),
    /apis\[0\]\.scopes\[1\]\.name: "orders:read" is already a scope of API "orders"/,
  ],
  [
    'a scope in two APIs',
    file([api(), api({ id: 'b', audience: 'https://b.example.com', routes: [], scopes: [{ name: 'orders:read', description: 'again' }] })]),
    /apis\[1\]\.scopes\[0\]\.name: "orders:read" is already a scope of API "orders"/,
  ],
  [
    'a route naming an unknown scope',
    file([route({ scope: 'orders:delete' })]),
    /apis\[0\]\.routes\[0\]\.scope: "orders:delete" is not a scope of API "orders"/,
  ],
  [
    "a route naming another API's scope",
    file([route({ scope: 'b:read' }), api({ id: 'b', audience: 'https://b.example.com', routes: [], scopes: [{ name: 'b:read', description: 'b' }] })]),
    /apis\[0\]\.routes\[0\]\.scope: "b:read" is not a scope of API "orders"/,
  ],
  ['a bad method', file([route({ method: 'FETCH' })]), /apis\[0\]\.routes\[0\]\.method: must be one of GET/],
  ['a path without a leading slash', file([route({ path: 'v1/orders' })]), /routes\[0\]\.path: "v1\/orders" must start with \//],
  ['a trailing slash', file([route({ path: '/v1/orders/' })]), /routes\[0\]\.path: .* empty segment/],
  ['a half parameter', file([route({ path: '/v1/orders/{id' })]), /routes\[0\]\.path: .* segment "\{id"/],
  ['a parameter inside a segment', file([route({ path: '/v1/orders-{id}' })]), /routes\[0\]\.path: .* segment "orders-\{id\}"/],
  ['a parameter named twice', file([route({ path: '/v1/{id}/{id}' })]), /routes\[0\]\.path: .* names \{id\} twice/],
  ['org naming no parameter', file([route({ path: '/orgs/{orgId}/orders', org: 'org' })]), /routes\[0\]\.org: must name a parameter of the path \(\{orgId\}\)/],
  [
    'literal vs parameter (no precedence: ambiguous)',
    file([
      api({
        routes: [
          { method: 'GET', path: '/v1/orders/{id}', scope: 'orders:read' },
          { method: 'GET', path: '/v1/orders/new', scope: 'orders:write' },
        ],
      }),
    ]),
    /apis\[0\]\.routes\[1\]: GET \/v1\/orders\/new is ambiguous with routes\[0\] GET \/v1\/orders\/\{id\}/,
  ],
  [
    'two parameter names at one place',
    file([
      api({
        routes: [
          { method: 'POST', path: '/v1/{a}/x', scope: 'orders:read' },
          { method: 'post', path: '/v1/{b}/x', scope: 'orders:write' },
        ],
      }),
    ]),
    /routes\[1\]: POST \/v1\/\{b\}\/x is ambiguous/,
  ],
  ['an unknown role', file([api()], { roles: { auditor: ['orders:read'] } }), /roles\.auditor: unknown key \(expected one of: viewer, member, admin, owner\)/],
  [
    'a role granting an unknown scope',
    file([api()], { roles: { viewer: ['orders:delete'] } }),
    /roles\.viewer\[0\]: "orders:delete" is not a scope of any API/,
  ],
  ['demo not a boolean', file([api()], { demo: 'yes' }), /demo: must be true or false/],
  ['not JSON at all', '{"apis": [', /catalogue\.json: not valid JSON/],
];

describe('[C2] catalogue validation', () => {
  it.each(INVALID)('refuses %s, naming the place', (_name, text, message) => {
    const path = writeCatalogue(text, 'catalogue.json');
    expect(() => loadCatalogueFile(path)).toThrow(message);
  });

  it('accepts what the validation separates: same path with other methods, literals that differ, different lengths', () => {
    const ok = file([
      api({
        routes: [
          { method: 'GET', path: '/v1/orders/{id}', scope: 'orders:read' },
          { method: 'DELETE', path: '/v1/orders/{id}', scope: 'orders:write' },
          { method: 'GET', path: '/v1/orders/{id}/lines', scope: 'orders:read' },
          { method: 'GET', path: '/v1/invoices/new', scope: 'orders:read' },
          { method: 'GET', path: '/v1/invoices/old', scope: 'orders:read' },
        ],
      }),
    ]);
    const catalogue = loadCatalogueFile(writeCatalogue(ok, 'catalogue.json'));
    expect(catalogue.apis[0]!.routes).toHaveLength(5);
    expect(catalogue.demo).toBe(false);
    expect(catalogue.roles).toEqual({ viewer: [], member: [], admin: [], owner: [] });
  });

  it('reads YAML with the §12 shape (and refuses YAML that is not)', () => {
    const catalogue = loadCatalogueFile(writeCatalogue(TWO_APIS));
    expect(catalogue.apis.map((a) => [a.id, a.audience, a.scopes.length, a.routes.length])).toEqual([
      ['orders', 'https://orders.example.com', 2, 3],
      ['billing', 'https://billing.example.com', 1, 0],
    ]);
    expect(catalogue.apis[0]!.routes[0]).toEqual({ method: 'GET', path: '/orgs/{orgId}/orders', scope: 'orders:read', org: 'orgId' });
    const bad = TWO_APIS.replace('path: "/v1/orders/{id}",      scope: "orders:read"', 'path: "/v1/orders/{id}",      scope: "orders:delete"');
    expect(() => loadCatalogueFile(writeCatalogue(bad))).toThrow('catalogue.yaml: apis[0].routes[2].scope: "orders:delete" is not a scope of API "orders"');
    expect(() => loadCatalogueFile(writeCatalogue('apis: [\n'))).toThrow(/catalogue\.yaml: not valid YAML/);
    expect(() => loadCatalogueFile(writeCatalogue(`${TWO_APIS}roles:\n  viewer: []\n`))).toThrow(/not valid YAML/); // a repeated key
  });

  it('a bad file stops the start with a configuration error naming the place', async () => {
    const path = writeCatalogue(file([route({ scope: 'orders:delete' })]), 'catalogue.json');
    // The catalogue is read before the database is opened: a database that must not be touched.
    const untouchable = new Proxy({} as Db, {
      get: () => {
        throw new Error('the database was used');
      },
    });
    const { config } = loadConfig({ GATEHOUSE_CATALOGUE: path });
    const started = createGatehouse({ config, db: untouchable });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow('catalogue.json: apis[0].routes[0].scope: "orders:delete" is not a scope of API "orders"');
  });
});
