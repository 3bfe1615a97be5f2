import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, ISSUER, startHarness } from '../support/harness.js';

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, unknown>;
  requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> };
};
type Doc = {
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description?: string }>;
  components: { securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
};

/**
 * [M4] What `redocly lint` (recommended rules) and a reader need from every operation, checked over
 * HTTP on the served document — so a route added anywhere, later, that lacks it fails here.
 * `npm run lint:openapi` runs redocly itself in CI.
 */
describe('/openapi.json is complete [M4]', () => {
  let h: Harness;
  let doc: Doc;
  const operations: Array<[string, Operation]> = [];

  beforeAll(async () => {
    h = await startHarness();
    const res = await h.gh.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    for (const [url, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) operations.push([`${method.toUpperCase()} ${url}`, op]);
    }
  });
  afterAll(() => h.close());

  it('names the issuer as its server and describes every tag it uses', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: ISSUER })]);
    const described = new Map(doc.tags.map((t) => [t.name, t.description ?? '']));
    for (const [name, op] of operations) {
      expect(op.tags?.length, `${name} has a tag`).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(described.get(tag), `tag "${tag}" (${name}) is declared with a description`).toBeTruthy();
    }
  });

  it('gives every operation a unique operationId, a summary, declared security and error responses', () => {
    const ids = new Set<string>();
    for (const [name, op] of operations) {
      expect(op.operationId, `${name} operationId`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(ids.has(op.operationId!), `${name} operationId is unique`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary?.trim(), `${name} summary`).toBeTruthy();
      expect(Array.isArray(op.security), `${name} declares its security`).toBe(true);
      for (const alternative of op.security!) {
        for (const scheme of Object.keys(alternative)) expect(doc.components.securitySchemes, `${name}: ${scheme}`).toHaveProperty(scheme);
      }
      const codes = Object.keys(op.responses ?? {});
      expect(codes.some((c) => c.startsWith('2')) || codes.some((c) => c.startsWith('3')), `${name} has a success response`).toBe(true);
      expect(
        codes.some((c) => c.startsWith('4')),
        `${name} has an error response`,
      ).toBe(true);
    }
  });

  it('declares security by path: bearer on the APIs, session + CSRF on console writes, Basic or body on the token endpoint', () => {
    const op = (method: string, url: string) => doc.paths[url]![method]!;
    expect(op('get', '/api/v1/audit-events').security).toEqual([{ bearer: [] }]);
    expect(op('get', '/sbom/v1/orgs/{orgId}/buckets').security).toEqual([{ bearer: [] }]);
    expect(op('get', '/console/api/orgs').security).toEqual([{ consoleSession: [] }]);
    expect(op('post', '/console/api/orgs/{orgId}/service-accounts/{id}/rotate-secret').security).toEqual([{ consoleSession: [], csrfToken: [] }]);
    expect(op('post', '/console/api/session').security).toEqual([]);
    expect(op('post', '/api/v1/auth/token').security).toEqual([{ clientSecretBasic: [] }, {}]);
    expect(op('get', '/healthz').security).toEqual([]);
  });

  it("documents the token endpoint's form and JSON bodies with the RFC 6749 parameters", () => {
    const body = doc.paths['/api/v1/auth/token']!.post!.requestBody!;
    expect(Object.keys(body.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    for (const media of Object.values(body.content)) {
      expect(Object.keys(media.schema.properties)).toEqual(expect.arrayContaining(['grant_type', 'scope', 'client_id', 'client_secret', 'refresh_token']));
      expect(media.schema.required).toEqual(['grant_type']);
    }
  });

  it('lists every API route the server registered (none hidden by mistake)', () => {
    const documented = new Set(operations.map(([name]) => name));
    const apiRoutes = h.gh.app.routeTable.filter((r) => /^\/(api|console\/api|sbom|manage)\//.test(r.url) && r.method !== 'HEAD');
    expect(apiRoutes.length).toBeGreaterThan(20);
    for (const r of apiRoutes) {
      expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
});
