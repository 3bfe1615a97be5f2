import { describe, expect, it } from 'vitest';
import { RouteMatcher, type CatalogueApi } from '../src/index.js';

const orders: CatalogueApi = {
  id: 'orders',
  audience: 'https://orders.example.com',
  scopes: [],
  routes: [
    { method: 'GET', path: '/orgs/{orgId}/orders', scope: 'orders:read', org: 'orgId' },
    { method: 'POST', path: '/orgs/{orgId}/orders', scope: 'orders:write', org: 'orgId' },
    { method: 'GET', path: '/v1/orders/{id}', scope: 'orders:read' },
    { method: 'GET', path: '/v1/orders/export', scope: 'orders:export' },
    { method: 'GET', path: '/v1/orders/{id}/lines/{line}', scope: 'orders:read' },
    { method: 'GET', path: '/v1/{kind}/stats/daily', scope: 'stats:read' },
    { method: 'GET', path: '/v1/orders/{id}/notes', scope: 'notes:read' },
    { method: 'GET', path: '/', scope: 'root:read' },
  ],
};
const billing: CatalogueApi = {
  id: 'billing',
  audience: 'https://billing.example.com',
  scopes: [],
  routes: [{ method: 'DELETE', path: '/billing/{invoice}', scope: 'billing:write' }],
};
const matcher = new RouteMatcher({ apis: [orders, billing] });
const scopeOf = (method: string, uri: string) => matcher.match(method, uri)?.route.scope ?? null;

describe('RouteMatcher', () => {
  it('finds the route, its API and the decoded parameters; the query string is ignored', () => {
    const m = matcher.match('GET', '/orgs/org_123/orders?limit=5&cursor=a/b');
    expect(m?.route.scope).toBe('orders:read');
    expect(m?.api.id).toBe('orders');
    expect(m?.params).toEqual({ orgId: 'org_123' });
    expect(matcher.match('delete', '/billing/inv%20%C3%A9')).toMatchObject({ api: { id: 'billing' }, params: { invoice: 'inv é' } });
    expect(matcher.match('GET', '/v1/orders/o1/lines/7#frag')?.params).toEqual({ id: 'o1', line: '7' });
    expect(scopeOf('GET', '/')).toBe('root:read');
  });

  it('the method decides; HEAD falls back to GET', () => {
    expect(scopeOf('POST', '/orgs/o/orders')).toBe('orders:write');
    expect(scopeOf('PUT', '/orgs/o/orders')).toBeNull();
    expect(scopeOf('HEAD', '/v1/orders/o1')).toBe('orders:read');
  });

  it('a literal beats a parameter, and a dead-end literal branch falls back to the parameter', () => {
    expect(scopeOf('GET', '/v1/orders/export')).toBe('orders:export');
    expect(scopeOf('GET', '/v1/orders/o1')).toBe('orders:read');
    // "orders" is a literal at segment 2, but only /v1/{kind}/stats/daily goes on with stats/daily.
    expect(matcher.match('GET', '/v1/orders/stats/daily')?.params).toEqual({ kind: 'orders' });
    // Percent-decoded before comparing: the upstream reads the same path.
    expect(scopeOf('GET', '/v1/%6Frders/export')).toBe('orders:export');
  });

  it('matches nothing it cannot be sure of: deny by default', () => {
    for (const uri of [
      '/v1/orders', // too short
      '/v1/orders/o1/extra/x/y', // too long
      '/v1/orders/o1/', // a trailing slash is significant
      '/v1//orders/o1', // empty segment
      '/V1/orders/o1', // case-sensitive
      '/v1/orders/..', // dot-segments, raw or encoded
      '/v1/orders/%2e%2E',
      '/v1/orders/./notes',
      '/v1/orders/a%2Fb', // an encoded slash never fills a parameter
      '/v1/orders/a%5Cb',
      '/v1/orders/a\\b',
      '/v1/orders/%zz', // malformed percent-encoding
      'v1/orders/o1', // not origin-form
      'http://example.com/v1/orders/o1',
      '',
      '?/v1/orders/o1',
      '/orgs//orders', // an empty parameter
    ]) {
      expect(matcher.match('GET', uri), uri).toBeNull();
    }
    expect(new RouteMatcher({ apis: [] }).match('GET', '/')).toBeNull();
  });

  it('compiles 200 routes and matches each one to itself, with literal precedence intact', () => {
    const routes = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? { method: 'GET', path: `/svc${i % 10}/res${i}/{id}`, scope: `s${i}:read` }
        : { method: i % 3 === 0 ? 'POST' : 'GET', path: `/orgs/{orgId}/svc${i % 10}/res${i}/{id}/sub`, scope: `s${i}:x`, org: 'orgId' },
    );
    const big = new RouteMatcher({ apis: [{ id: 'big', audience: 'a', scopes: [], routes }] });
    expect(big.size).toBe(200);
    routes.forEach((r, i) => {
      const uri = r.path.replace('{orgId}', 'org_9').replace('{id}', `x${i}`);
      const m = big.match(r.method, uri);
      expect(m?.route, uri).toBe(r);
      expect(m?.params.id).toBe(`x${i}`);
      if (r.org) expect(m?.params.orgId).toBe('org_9');
    });
    expect(big.match('GET', '/svc0/res1/x')).toBeNull();
    expect(big.match('DELETE', '/svc0/res0/x')).toBeNull();
  });

  it('refuses a template that is not a path', () => {
    expect(() => new RouteMatcher({ apis: [{ id: 'x', audience: 'a', scopes: [], routes: [{ method: 'GET', path: 'orders', scope: 's' }] }] })).toThrow(
      /must start with \//,
    );
  });
});
