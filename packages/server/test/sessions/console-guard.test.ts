import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { createApp } from '../../src/http/app.js';
import { consoleGuard } from '../../src/sessions/console-auth.js';
import type { SessionService } from '../../src/sessions/service.js';

/** The guard's start-time refusals: a console route it cannot protect stops the start. */
describe('consoleGuard wiring', () => {
  const app = () => createApp({ logger: false, trustProxy: false, version: 'test', hsts: false });
  // Never called: these checks run before any request.
  const deps = { db: {} as Db, sessions: {} as SessionService };

  it('refuses to start when a console route was registered before the guard (it would be unguarded)', async () => {
    const a = await app();
    a.get('/console/api/early', async () => ({}));
    consoleGuard(a, deps);
    a.get('/console/api/late', async () => ({}));
    await expect(a.ready()).rejects.toThrow(/registered before consoleGuard: GET \/console\/api\/early/);
    await a.close().catch(() => {});
  });

  it('refuses a capability on a route without an {orgId}, or on one that needs no session', async () => {
    const a = await app();
    consoleGuard(a, deps);
    expect(() => a.get('/console/api/me/thing', { config: { capability: 'members:manage' } }, async () => ({}))).toThrow(/capability/);
    expect(() => a.post('/console/api/orgs/:orgId/x', { config: { session: 'none', capability: 'members:manage' } }, async () => ({}))).toThrow(/capability/);
    await a.close().catch(() => {});
  });
});
