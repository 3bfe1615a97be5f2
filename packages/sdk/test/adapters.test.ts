import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, type Harness } from '@gatehouse/testkit';
import {
  createVerifier,
  expressMiddleware,
  fastifyHook,
  nodeHttpGuard,
  type ExpressLikeRequest,
  type ExpressLikeResponse,
  type FastifyLikeRequest,
  type Principal,
  type Verifier,
} from '../src/index.js';

const CREDENTIAL = 'ghrs_adapter-test-credential-0123456789abcdef';

/** Starts `server` on a free port; returns its base URL. */
async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A minimal Express-compatible app: `(req, res, next)` middleware with `req.params` from
 * `/orgs/:orgId/...` and Express's `res.status().json()` — what the middleware relies on.
 */
function expressLike(middleware: (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void) {
  return http.createServer((raw, rawRes) => {
    const orgId = /^\/orgs\/([^/]+)\//.exec(raw.url ?? '')?.[1];
    const req = Object.assign(raw, { params: orgId ? { orgId } : {} }) as unknown as ExpressLikeRequest & http.IncomingMessage;
    const res: ExpressLikeResponse = {
      status(code) {
        rawRes.statusCode = code;
        return res;
      },
      setHeader: (k, v) => rawRes.setHeader(k, v),
      json(body) {
        rawRes.setHeader('content-type', 'application/json');
        rawRes.end(JSON.stringify(body));
      },
    };
    middleware(req, res, (err) => {
      if (err) {
        rawRes.statusCode = 500;
        rawRes.end();
        return;
      }
      res.status(200).json({ principal: who(req.gatehouse!) });
    });
  });
}

const who = (p: Principal) => ({ type: p.type, id: p.id });

describe('verifier adapters', () => {
  let h: Harness & { url: string };
  let v: Verifier;
  let svcToken: string;
  let svcId: string;
  let userToken: string;
  const servers: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `tests:${CREDENTIAL}` });
    v = createVerifier({ issuer: h.url, feedCredential: CREDENTIAL });
    await v.start();
    const sa = await h.createServiceAccount(['assets:read']);
    svcId = sa.clientId;
    svcToken = await h.accessToken(sa.clientId, sa.clientSecret);
    const viewer = await h.addUser('viewer');
    userToken = await h.userAccessToken((await h.createRefreshToken(viewer)).refreshToken);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await v?.close();
    await h?.close();
  });

  /** The same checks for every adapter: 200, 401, 403, 404, a user on an org path, a user elsewhere. */
  async function matrix(base: string) {
    const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const ok = await get('/assets', svcToken);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ principal: { type: 'service_account', id: svcId } });

    const none = await get('/assets');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(await none.json()).toMatchObject({ error: 'invalid_token' });

    const noScope = await get('/buckets-write', svcToken);
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="sbom.buckets:write"/);

    expect((await get(`/orgs/${h.orgId}/buckets`, userToken)).status).toBe(200); // a viewer reads
    expect((await get(`/orgs/${h.orgId}/buckets-write`, userToken)).status).toBe(403); // but does not write
    expect((await get('/orgs/org_01ANOTHER0000000000000000000/buckets', userToken)).status).toBe(404);
    expect((await get('/assets', userToken)).status).toBe(401); // [B9] no org: service accounts only
  }

  it('Fastify: an onRequest hook sets request.gatehouse or answers the refusal', async () => {
    const app = Fastify();
    const reply = async (req: FastifyLikeRequest) => ({ principal: who((req as { gatehouse?: Principal }).gatehouse!) });
    const orgOf = (req: FastifyLikeRequest) => (req.params as { orgId?: string }).orgId;
    app.get('/assets', { onRequest: fastifyHook(v, { scope: 'assets:read' }) }, reply);
    app.get('/buckets-write', { onRequest: fastifyHook(v, { scope: 'sbom.buckets:write' }) }, reply);
    app.get('/orgs/:orgId/buckets', { onRequest: fastifyHook(v, { scope: 'sbom.buckets:read', orgId: orgOf }) }, reply);
    app.get('/orgs/:orgId/buckets-write', { onRequest: fastifyHook(v, { scope: 'sbom.buckets:write', orgId: orgOf }) }, reply);
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push(app);
    await matrix(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  });

  it('Express: middleware sets req.gatehouse and calls next(), or answers the refusal', async () => {
    const routes: Record<string, ReturnType<typeof expressMiddleware>> = {
      assets: expressMiddleware(v, { scope: 'assets:read' }),
      'buckets-write': expressMiddleware(v, { scope: 'sbom.buckets:write' }),
      'org-buckets': expressMiddleware(v, { scope: 'sbom.buckets:read', orgId: (req) => req.params?.orgId }),
      'org-buckets-write': expressMiddleware(v, { scope: 'sbom.buckets:write', orgId: (req) => req.params?.orgId }),
    };
    const server = expressLike((req, res, next) => {
      const url = (req as unknown as http.IncomingMessage).url ?? '';
      const key = url.startsWith('/orgs/') ? (url.endsWith('-write') ? 'org-buckets-write' : 'org-buckets') : url.slice(1);
      routes[key]!(req, res, next);
    });
    servers.push(server);
    await matrix(await listen(server));
  });

  it('node:http: the guard resolves to the principal, or to null after answering', async () => {
    const guards = {
      assets: nodeHttpGuard(v, { scope: 'assets:read' }),
      write: nodeHttpGuard(v, { scope: 'sbom.buckets:write' }),
      org: nodeHttpGuard(v, { scope: 'sbom.buckets:read', orgId: (req) => /^\/orgs\/([^/]+)\//.exec(req.url ?? '')?.[1] }),
      orgWrite: nodeHttpGuard(v, { scope: 'sbom.buckets:write', orgId: (req) => /^\/orgs\/([^/]+)\//.exec(req.url ?? '')?.[1] }),
    };
    const server = http.createServer(async (req, res) => {
      const url = req.url ?? '';
      const guard = url.startsWith('/orgs/') ? (url.endsWith('-write') ? guards.orgWrite : guards.org) : url === '/assets' ? guards.assets : guards.write;
      const principal = await guard(req, res);
      if (!principal) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ principal: who(principal) }));
    });
    servers.push(server);
    await matrix(await listen(server));
  });
});
