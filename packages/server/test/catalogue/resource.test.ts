import { MANAGEMENT_SCOPES } from '../../src/catalogue/scopes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, startHarness, type Harness } from '../support/harness.js';
import { TWO_APIS, writeCatalogue } from './fixtures.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aud: string; scope: string };
const form = (h: Harness, body: string) =>
  h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });

/** [C1] [C3] [C5] A catalogue of two APIs: audiences, RFC 8707 resource, discovery and the console's catalogue. */
/** Harness starts are slow on a loaded machine: one server per describe, generous limits. */
const SLOW = { timeout: 120_000 };

describe('a catalogue of two APIs', SLOW, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_CATALOGUE: writeCatalogue(TWO_APIS) } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('[C3] resource picks the API: its audience as aud and only its scopes; without it the first API', async () => {
    const sa = await h.createServiceAccount(['orders:read', 'orders:write', 'invoices:read']);

    const first = await h.token(sa.clientId, sa.clientSecret);
    expect(first.statusCode).toBe(200);
    expect(claimsOf(first.json().access_token)).toMatchObject({
      aud: 'https://orders.example.com',
      scope: 'orders:read orders:write',
    });
    expect(first.json().scope).toBe('orders:read orders:write');

    const billing = await h.token(sa.clientId, sa.clientSecret, { resource: 'https://billing.example.com' });
    expect(billing.statusCode).toBe(200);
    expect(claimsOf(billing.json().access_token)).toMatchObject({ aud: 'https://billing.example.com', scope: 'invoices:read' });

    // Form-encoded too, with a subset.
    const subset = await form(
      h,
      `grant_type=client_credentials&client_id=${sa.clientId}&client_secret=${sa.clientSecret}&resource=${encodeURIComponent('https://orders.example.com')}&scope=orders:read`,
    );
    expect(subset.statusCode).toBe(200);
    expect(claimsOf(subset.json().access_token)).toMatchObject({ aud: 'https://orders.example.com', scope: 'orders:read' });

    // Scopes of another API than the resource's: invalid_scope, nothing minted.
    const mixed = await h.token(sa.clientId, sa.clientSecret, { resource: 'https://orders.example.com', scope: 'orders:read invoices:read' });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error).toBe('invalid_scope');
    const elsewhere = await h.token(sa.clientId, sa.clientSecret, { scope: 'invoices:read' }); // no resource: the first API
    expect(elsewhere.json().error).toBe('invalid_scope');
  });

  it('[C3] an unknown or repeated resource is 400 invalid_target (RFC 8707 §2), for both grants', async () => {
    const sa = await h.createServiceAccount(['orders:read']);
    for (const resource of ['https://unknown.example.com', ISSUER, 'orders']) {
      const res = await h.token(sa.clientId, sa.clientSecret, { resource });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_target', error_description: expect.any(String) });
    }
    const twice = await form(
      h,
      `grant_type=client_credentials&client_id=${sa.clientId}&client_secret=${sa.clientSecret}&resource=https%3A%2F%2Forders.example.com&resource=https%3A%2F%2Fbilling.example.com`,
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toBe('invalid_target');
    const rt = await h.createRefreshToken();
    const unknown = await h.refresh(rt.refreshToken, { resource: 'https://unknown.example.com' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toBe('invalid_target');
  });

  it('[C3] refresh_token grant: resource gives that API aud and, without scope, all its scopes', async () => {
    const rt = await h.createRefreshToken();
    const orders = await h.refresh(rt.refreshToken);
    expect(orders.statusCode).toBe(200);
    expect(claimsOf(orders.json().access_token)).toMatchObject({
      aud: 'https://orders.example.com',
      scope: 'orders:read orders:write manage:service-accounts manage:members manage:organization',
    });
    const billing = await h.refresh(rt.refreshToken, { resource: 'https://billing.example.com' });
    expect(claimsOf(billing.json().access_token)).toMatchObject({ aud: 'https://billing.example.com', scope: 'invoices:read' });
    const narrowed = await h.createRefreshToken(h.owner, { scopes: ['invoices:read'] });
    // Narrowed to the second API only: the first API has nothing for it.
    expect((await h.refresh(narrowed.refreshToken)).json().error).toBe('invalid_scope');
    expect((await h.refresh(narrowed.refreshToken, { resource: 'https://billing.example.com', scope: 'orders:read' })).json().error).toBe('invalid_scope');
  });

  it('[C1] [C5] only the catalogue: its scopes for accounts, discovery and the console; demo false serves no reference API', async () => {
    const refused = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts`, { name: 'x', scopes: ['assets:read'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error_description).toContain('assets:read');

    const discovery = await h.gh.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(discovery.json().scopes_supported).toEqual(['orders:read', 'orders:write', 'invoices:read', ...MANAGEMENT_SCOPES]);

    const catalogue = await h.owner.request('GET', '/console/api/scopes');
    expect(catalogue.statusCode).toBe(200);
    expect(catalogue.json()).toEqual({
      items: [
        { scope: 'orders:read', description: 'List and get orders.', api: 'orders' },
        { scope: 'orders:write', description: 'Create and cancel orders.', api: 'orders' },
        { scope: 'invoices:read', description: 'List invoices.', api: 'billing' },
      ],
      nextCursor: null,
      apis: [
        {
          id: 'orders',
          audience: 'https://orders.example.com',
          description: 'Orders API',
          scopes: [
            { scope: 'orders:read', description: 'List and get orders.', api: 'orders' },
            { scope: 'orders:write', description: 'Create and cancel orders.', api: 'orders' },
          ],
        },
        { id: 'billing', audience: 'https://billing.example.com', scopes: [{ scope: 'invoices:read', description: 'List invoices.', api: 'billing' }] },
      ],
      roles: {
        viewer: ['orders:read'],
        member: ['orders:read', 'orders:write'],
        admin: ['orders:read', 'orders:write', 'invoices:read'],
        owner: ['orders:read', 'orders:write', 'invoices:read'],
      },
    });

    // demo: false (the default in a file): the reference API and SBOM buckets are not served.
    const sa = await h.createServiceAccount(['orders:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    expect((await h.api('GET', '/api/v1/assets', token)).statusCode).toBe(404);
    expect((await h.api('GET', `/sbom/v1/orgs/${h.orgId}/buckets`, token)).statusCode).toBe(404);
  });
});

describe('two APIs, one of them the reference API', SLOW, () => {
  let h: Harness;
  afterAll(async () => {
    await h?.close();
  });

  it('[C3] a token for one API is refused on a route of another, even carrying the right scope', async () => {
    const file = writeCatalogue(`apis:
  - id: reference
    audience: ${ISSUER}
    scopes:
      - { name: "assets:read", description: "Assets." }
  - id: orders
    audience: https://orders.example.com
    scopes:
      - { name: "orders:read", description: "Orders." }
demo: true
`);
    h = await startHarness({ env: { GATEHOUSE_CATALOGUE: file } });
    const sa = await h.createServiceAccount(['assets:read', 'orders:read']);
    const right = await h.accessToken(sa.clientId, sa.clientSecret);
    expect(claimsOf(right).aud).toBe(ISSUER);
    expect((await h.api('GET', '/api/v1/assets', right)).statusCode).toBe(200);
    // A token for the orders API cannot name assets:read (invalid_scope), so sign one with the
    // real key that does: the audience is its one defect.
    const ordersToken = await h.gh.services.tokens.mint({
      sub: sa.clientId,
      clientId: sa.clientId,
      scopes: ['assets:read'],
      lifetimeSeconds: 900,
      orgId: h.orgId,
      epoch: 0,
      audience: 'https://orders.example.com',
    }).token;
    const res = await h.api('GET', '/api/v1/assets', ordersToken);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    // A token for an audience outside the catalogue never verifies.
    const foreign = await h.gh.services.tokens.mint({
      sub: sa.clientId,
      clientId: sa.clientId,
      scopes: ['assets:read'],
      lifetimeSeconds: 900,
      orgId: h.orgId,
      epoch: 0,
      audience: 'https://evil.example.com',
    }).token;
    expect((await h.api('GET', '/api/v1/assets', foreign)).statusCode).toBe(401);
  });
});

describe('no catalogue file', SLOW, () => {
  let h: Harness;
  afterAll(async () => {
    await h?.close();
  });

  it('[C1] without GATEHOUSE_CATALOGUE: the demo, its audience (the issuer) and every §6 scope, unchanged', async () => {
    h = await startHarness();
    const sa = await h.createServiceAccount(['assets:read']);
    const res = await h.token(sa.clientId, sa.clientSecret);
    expect(claimsOf(res.json().access_token)).toMatchObject({ aud: ISSUER, scope: 'assets:read' });
    expect((await h.token(sa.clientId, sa.clientSecret, { resource: ISSUER })).statusCode).toBe(200);
    expect((await h.token(sa.clientId, sa.clientSecret, { resource: 'https://orders.example.com' })).json().error).toBe('invalid_target');
    const catalogue = (await h.owner.request('GET', '/console/api/scopes')).json();
    expect(catalogue.apis).toHaveLength(1);
    expect(catalogue.apis[0]).toMatchObject({ id: 'gatehouse-demo', audience: ISSUER });
    expect(catalogue.items).toHaveLength(21);
    expect(catalogue.roles.viewer).toContain('assets:read');
    expect(catalogue.roles.viewer).not.toContain('sbom.buckets:write');
    expect(catalogue.roles.member).toContain('sbom.buckets:write');
  });
});
