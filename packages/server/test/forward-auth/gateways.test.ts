import { stateUnavailable } from '@gatehouse/access';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { startListening } from '../support/listening.js';
import { bucketsCatalogue } from './catalogue-fixture.js';
import { gatewayAvailable, gatewayConfig, startGateway, startUpstream, type Echo, type Gateway, type GatewayName } from './gateways.js';

/**
 * §13 [F3]: the README's nginx and Caddy configurations, run with Debian's binaries between a
 * client and a tiny upstream, with a real listening Gatehouse deciding every request.
 */
const AUDIENCE = 'https://gateway-api.test';
const catalogue = bucketsCatalogue(AUDIENCE);

const gateways: GatewayName[] = (['nginx', 'caddy'] as const).filter((name) => gatewayAvailable(name));
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-gateways-'));
let h: Harness & { url: string };
let upstream: Awaited<ReturnType<typeof startUpstream>>;
const running = new Map<GatewayName, Gateway>();

beforeAll(async () => {
  if (gateways.length === 0) return;
  h = await startListening({ GATEHOUSE_AUDIENCE: AUDIENCE }, { catalogue });
  upstream = await startUpstream();
  const port = Number(new URL(h.url).port);
  for (const name of gateways) {
    const own = join(dir, name);
    mkdirSync(own);
    running.set(name, await startGateway(name, own, port, upstream.port));
  }
}, 90_000);

afterAll(async () => {
  for (const gateway of running.values()) await gateway.stop().catch(() => {});
  await upstream?.close();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the README configurations [F3]', () => {
  it('are the tested ones, verbatim', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`nginx\n${gatewayConfig('nginx')}\`\`\``);
    expect(readme).toContain(`\`\`\`caddyfile\n${gatewayConfig('caddy')}\`\`\``);
  });
});

describe.skipIf(gateways.length === 0).each(gateways)('forward authentication behind %s [F3]', (name) => {
  const call = (method: string, path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${running.get(name)!.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      signal: AbortSignal.timeout(10_000),
    });

  it('a service account with the scope reaches the upstream, which sees who is calling', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const res = await call('GET', '/v1/findings/f1?page=2', token, {
      'x-gatehouse-subject': 'svc_forged',
      'x-original-uri': '/elsewhere',
      'x-forwarded-uri': '/elsewhere',
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.url).toBe('/v1/findings/f1?page=2');
    expect(echo.headers['x-gatehouse-subject']).toBe(sa.clientId);
    expect(echo.headers['x-gatehouse-subject-type']).toBe('service_account');
    expect(echo.headers['x-gatehouse-org']).toBe(h.orgId);
    expect(echo.headers['x-gatehouse-scopes']).toBe('governance.findings:read');
  });

  it('without the scope: 403 with the JSON body and challenge of §5; the upstream is not reached', async () => {
    const sa = await h.createServiceAccount(['sbom.buckets:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const res = await call('POST', `/orgs/${h.orgId}/buckets`, token);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'insufficient_scope', error_description: 'this call needs the scope sbom.buckets:write' });
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('[A7] a disable through the console API: the very next request through the gateway is 401', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    expect((await call('GET', '/v1/findings/f1', token)).status).toBe(200);
    expect((await h.owner.request('POST', `/console/api/orgs/${h.orgId}/service-accounts/${sa.clientId}/disable`)).statusCode).toBe(200);
    const res = await call('GET', '/v1/findings/f1', token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('a route the catalogue does not declare: 403 (deny by default)', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    for (const path of ['/v1/admin', '/v1/findings/f1/', '/v1/findings/a%2Fb']) {
      const res = await call('GET', path, token);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('access_denied');
    }
  });

  it('[C4] a person is admitted by role on an organization route, and gets 404 on another organization', async () => {
    const viewer = await h.addUser('viewer');
    const token = await h.userAccessToken((await h.createRefreshToken(viewer)).refreshToken);
    const res = await call('GET', `/orgs/${h.orgId}/buckets`, token);
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-gatehouse-subject']).toBe(viewer.userId);
    expect(echo.headers['x-gatehouse-subject-type']).toBe('user');
    expect(echo.headers['x-gatehouse-org']).toBe(h.orgId);
    const other = await h.createOrg(`Other ${name}`);
    const denied = await call('GET', `/orgs/${other}/buckets`, token);
    expect(denied.status).toBe(404);
    expect(await denied.json()).toEqual({ error: 'not_found', error_description: 'organization not found' });
  });

  it('a stale state reaches the client as 503, never 401', async () => {
    const sa = await h.createServiceAccount(['governance.findings:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    h.gh.services.states.freshness = () => {
      throw stateUnavailable('the state feed is silent');
    };
    try {
      const res = await call('GET', '/v1/findings/f1', token);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    } finally {
      h.gh.services.states.freshness = null;
    }
  });
});
