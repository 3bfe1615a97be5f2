import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { OutageLog } from '../../src/http/outage-log.js';
import { DatabaseUnavailableError } from '../../src/db/db.js';
import { cuttable } from '../support/cuttable-db.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue "Hardening" 11d: a database outage once logged a stack trace per request (~10 MB/s). Now
 * one line per kind of outage per period, with how many requests it failed.
 */
describe('a database outage does not flood the log', () => {
  let h: Harness;
  let db: ReturnType<typeof cuttable>;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    h = await startHarness({ wrapDb: (raw) => (db = cuttable(raw)), logger: { level: 'warn', stream } });
  });
  afterAll(async () => {
    db?.restore();
    await h?.close();
  });

  it('200 requests failing with 503 during an outage leave one log line, with a count and no stack trace', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    lines.length = 0;
    db.cut();
    try {
      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? h.api('GET', '/api/v1/audit-events', token) : h.token(sa.clientId, sa.clientSecret)).then((r) => r.statusCode),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([503]));
    } finally {
      db.restore();
    }
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 50, outage: 'ECONNREFUSED', failedRequests: 1 });
    expect(lines[0]).not.toMatch(/"stack"|\\n\s+at /);
    expect(lines[0]).not.toContain(sa.clientSecret);
    expect(lines[0]).not.toContain(token);
  });

  it('after each period, one more line per kind carries how many requests failed since the last one', () => {
    let now = 0;
    const logged: Array<Record<string, unknown>> = [];
    const log = { error: (obj: Record<string, unknown>) => logged.push(obj) } as unknown as FastifyBaseLogger;
    const outages = new OutageLog(() => now, 10_000);
    const refused = new DatabaseUnavailableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const timedOut = new DatabaseUnavailableError(new Error('Query read timeout'));
    for (let i = 0; i < 50; i++) outages.report(log, refused);
    outages.report(log, timedOut);
    now = 9_999;
    outages.report(log, refused);
    now = 10_000;
    outages.report(log, refused);
    expect(logged.map((l) => [l.outage, l.failedRequests])).toEqual([
      ['ECONNREFUSED', 1],
      ['timeout', 1],
      ['ECONNREFUSED', 51],
    ]);
  });
});
