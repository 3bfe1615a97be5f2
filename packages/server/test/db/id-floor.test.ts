import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { MasterKey } from '../../src/crypto/master-key.js';
import type { Db } from '../../src/db/db.js';
import type { Gatehouse } from '../../src/gatehouse.js';
import { createTestDb } from '../support/db.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ISSUER } from '../support/harness.js';

/**
 * Ids are ULIDs from a factory that is monotonic only within one process. A restart with the wall
 * clock an hour behind must still mint ids that sort after the stored ones, or cursor paging and
 * the audit log's order would put new rows among (or before) old ones.
 */
describe('ids across a restart with the wall clock behind', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sort after every stored id, so cursor paging and the audit log stay in creation order', async () => {
    const raw = await createTestDb();
    // Both instances share the database; the first one's close must not close it.
    const kept: Db = Object.assign(Object.create(raw) as Db, { close: async () => {} });
    const { config } = loadConfig({ GATEHOUSE_ISSUER: ISSUER, GATEHOUSE_ADMIN_EMAIL: ADMIN_EMAIL, GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const masterKey = MasterKey.random();
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    // A fresh module graph is a fresh process as far as the id generator is concerned.
    const start = async (): Promise<Gatehouse> => {
      const { createGatehouse } = await import('../../src/gatehouse.js');
      return createGatehouse({ config, clock, db: kept, masterKey, passwordCost: { logN: 10, r: 8, p: 1 } });
    };
    const createAccounts = async (gh: Gatehouse, names: string[]) => {
      const res = await gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      const headers = { cookie, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken };
      const orgId = gh.bootstrap?.orgId ?? (res.json() as { memberships: Array<{ orgId: string }> }).memberships[0]!.orgId;
      for (const name of names) {
        const created = await gh.app.inject({
          method: 'POST',
          url: `/console/api/orgs/${orgId}/service-accounts`,
          headers,
          payload: { name, scopes: ['audit-log:read'] },
        });
        expect(created.statusCode).toBe(201);
      }
      return { orgId, headers };
    };

    try {
      const first = await start();
      await createAccounts(first, ['before 1', 'before 2', 'before 3']);
      await first.close();

      const realNow = Date.now;
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
      vi.resetModules();
      const second = await start();
      try {
        const { orgId, headers } = await createAccounts(second, ['after 1', 'after 2', 'after 3']);
        const items: Array<{ id: string; name: string }> = [];
        let cursor: string | null = null;
        do {
          const page = await second.app.inject({
            method: 'GET',
            headers,
            url: `/console/api/orgs/${orgId}/service-accounts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          });
          expect(page.statusCode).toBe(200);
          const body = page.json() as { items: Array<{ id: string; name: string }>; nextCursor: string | null };
          items.push(...body.items);
          cursor = body.nextCursor;
        } while (cursor);
        const ours = items.filter((i) => /^(before|after) /.test(i.name));
        expect(ours.map((i) => i.name)).toEqual(['before 1', 'before 2', 'before 3', 'after 1', 'after 2', 'after 3']);

        // The audit log, newest first: the restarted instance's last action is on top.
        const audit = await second.app.inject({ method: 'GET', headers, url: `/console/api/orgs/${orgId}/audit-events?action=service_account.create&limit=1` });
        expect((audit.json() as { items: Array<{ target: { id: string } }> }).items[0]!.target.id).toBe(ours.at(-1)!.id);
      } finally {
        await second.close();
      }
    } finally {
      await raw.close();
    }
  });
});
