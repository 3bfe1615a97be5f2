import { describe, expect, it } from 'vitest';
import { parseRoute, routePath, type Route } from '../../src/app/routes';

const ORG = 'org_01J00000000000000000000000';

describe('console URLs carry the organization ID', () => {
  it.each<[string, Route]>([
    ['/', { name: 'home' }],
    ['/orgs', { name: 'home' }],
    ['/sign-in', { name: 'sign-in' }],
    [`/orgs/${ORG}/developers/api/credentials`, { name: 'section', orgId: ORG, section: 'credentials' }],
    [`/orgs/${ORG}/developers/api/credentials/svc_1`, { name: 'service-account', orgId: ORG, id: 'svc_1' }],
    [`/orgs/${ORG}/api-tokens`, { name: 'section', orgId: ORG, section: 'api-tokens' }],
    [`/orgs/${ORG}/members`, { name: 'section', orgId: ORG, section: 'members' }],
    [`/orgs/${ORG}/audit-log`, { name: 'section', orgId: ORG, section: 'audit-log' }],
  ])('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
    expect(routePath(route)).toBe(path === '/orgs' ? '/' : path);
  });

  it('an organization alone, or a trailing slash, lands on its credentials', () => {
    expect(parseRoute(`/orgs/${ORG}`)).toEqual({ name: 'section', orgId: ORG, section: 'credentials' });
    expect(parseRoute(`/orgs/${ORG}/members/`)).toEqual({ name: 'section', orgId: ORG, section: 'members' });
  });

  it('anything else is not found, and odd characters are encoded', () => {
    expect(parseRoute('/settings')).toEqual({ name: 'not-found', path: '/settings' });
    expect(parseRoute(`/orgs/${ORG}/nope`)).toEqual({ name: 'not-found', path: `/orgs/${ORG}/nope` });
    expect(routePath({ name: 'section', orgId: 'a/b', section: 'members' })).toBe('/orgs/a%2Fb/members');
    expect(parseRoute('/orgs/a%2Fb/members')).toEqual({ name: 'section', orgId: 'a/b', section: 'members' });
  });
});
