import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleUi } from '../../src/console-ui/plugin.js';
import { createApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';

/** How the server serves the built console: SPA fallback, caching, CSP, and JSON 404s for APIs. */
describe('console-ui: serving the built console', () => {
  let dir: string;
  let app: App;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-console-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>');
    fs.writeFileSync(path.join(dir, 'assets/index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await createApp({ logger: false, trustProxy: false, version: 'test', hsts: false });
    app.get('/api/v1/thing', async () => ({ ok: true }));
    await consoleUi(app, { dir, issuer: 'http://gatehouse.test' });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/sign-in', '/orgs', '/orgs/org_01J00000000000000000000000/members', '/orgs/x/developers/api/credentials/svc_1'])(
    'answers %s with index.html, never cached, under the CSP',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('serves hashed assets for a year, immutable, and other files revalidated', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('keeps JSON 404s on every API and operational path', async () => {
    for (const url of ['/api/v1/nope', '/sbom/v1/nope', '/console/api/nope', '/.well-known/nope', '/assets/missing.js', '/nope']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: 'not_found' });
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/thing' })).json()).toEqual({ ok: true });
  });

  it('the CSP allows no inline script and no framing', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('without a build, / says what the server is and how to build the console', async () => {
    const bare = await createApp({ logger: false, trustProxy: false, version: 'test', hsts: false });
    await consoleUi(bare, { dir: path.join(dir, 'missing'), issuer: 'http://gatehouse.test' });
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.json()).toMatchObject({ name: 'Gatehouse', console: expect.stringContaining('npm run build'), openapi: 'http://gatehouse.test/openapi.json' });
    await bare.close();
  });
});
