import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PrincipalStates } from '../../src/access/principal-state.js';
import type { ScopeCatalogue } from '../../src/catalogue/catalogue.js';
import type { FromWorker } from '../../src/cluster/messages.js';
import { WorkerLink } from '../../src/cluster/worker.js';
import type { Db } from '../../src/db/db.js';
import type { App } from '../../src/http/types.js';
import { Metrics } from '../../src/metrics/metrics.js';

/**
 * One worker's side of GATEHOUSE_WORKERS, without processes: the primary is played by hand
 * (`process.emit('message', ...)` is what node:cluster does when the primary writes to a worker).
 */
describe('WorkerLink', () => {
  const apps: App[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function setUp() {
    const sent: FromWorker[] = [];
    const link = new WorkerLink((m) => sent.push(m));
    // Only invalidation is exercised: nothing here reads the database or the catalogue.
    const states = new PrincipalStates({} as Db, {} as ScopeCatalogue);
    const app = Fastify() as unknown as App;
    apps.push(app);
    link.attach(app, states, new Metrics({ stateLagSeconds: () => 0, pool: () => null }));
    app.post('/disable/:id', async (req) => {
      states.invalidate((req.params as { id: string }).id); // as a service does after its commit
      return { ok: true };
    });
    app.get('/read', async () => ({ ok: true }));
    await app.ready();
    return { sent, states, app };
  }

  it('holds the response that committed a change until the primary says every sibling applied it', async () => {
    const { sent, app } = await setUp();
    let answered = false;
    const response = app.inject({ method: 'POST', url: '/disable/sa_1' }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([{ gh: 'changes', seq: 1, changes: [{ kind: 'service_account', id: 'sa_1' }] }]);
    expect(answered).toBe(false);
    process.emit('message', { gh: 'synced', seq: 1 }, undefined);
    expect((await response).statusCode).toBe(200);
  });

  it('applies a sibling’s change to its own cache, acknowledges it, and does not announce it again', async () => {
    const { sent, states } = await setUp();
    const heard: unknown[] = [];
    states.subscribe((c) => heard.push(c));
    process.emit('message', { gh: 'apply', relay: 7, changes: [{ kind: 'user', id: 'usr_1' }] }, undefined);
    expect(heard).toEqual([{ kind: 'user', id: 'usr_1', remote: true }]);
    await new Promise((r) => setTimeout(r, 10)); // announcements leave in a microtask
    expect(sent).toEqual([{ gh: 'applied', relay: 7 }]);
  });

  it('answers requests that changed nothing without waiting', async () => {
    const { sent, app } = await setUp();
    expect((await app.inject({ method: 'GET', url: '/read' })).statusCode).toBe(200);
    expect(sent).toEqual([]);
  });
});
