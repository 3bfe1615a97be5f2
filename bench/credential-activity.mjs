// `node bench/credential-activity.mjs` (after `npm run build`): what credential activity (issue 14
// item 5) costs, on PGlite, or on PostgreSQL with BENCH_DATABASE_URL=postgres://... (a scratch schema).
//
//   1. The grant path: the group commit's one statement as before (audit rows + last_token_issued_at)
//      against the statement that also keeps the per-day counter and the last address. Batches of
//      BATCH grants, the two variants alternated so the machine's noise falls on both alike.
//   2. The read: grants per day over 30 days for one account, counted from the audit log
//      (token.grant rows of that account, by UTC day) against read from the per-day counter.
import { createPgDb } from '../packages/server/dist/db/pg-driver.js';
import { createPgliteDb } from '../packages/server/dist/db/pglite-driver.js';
import { migrate } from '../packages/server/dist/db/migrate.js';
import { auditStore, toAuditRow } from '../packages/server/dist/audit/store.js';
import { newId } from '../packages/server/dist/ids.js';

const BATCH = Number(process.env.BATCH ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const ACCOUNTS = Number(process.env.ACCOUNTS ?? 20);
const url = process.env.BENCH_DATABASE_URL;
const schema = `bench_activity_${Date.now()}`;
const db = url ? createPgDb({ connectionString: url, schema }) : await createPgliteDb();
if (url) await db.query(`CREATE SCHEMA ${schema}`);
await migrate(db);

const OLD_SQL = `WITH inserted AS (INSERT INTO audit_events (id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome,
    target_type, target_id, credential, ip, user_agent, detail)
  SELECT id, org_id, occurred_at, actor_type, actor_id, actor_name, action, outcome,
         target_type, target_id, credential, ip, user_agent, COALESCE(detail, '{}'::jsonb)
    FROM jsonb_to_recordset($1::jsonb) AS r(id text, org_id text, occurred_at timestamptz, actor_type text,
      actor_id text, actor_name text, action text, outcome text, target_type text, target_id text,
      credential text, ip text, user_agent text, detail jsonb) RETURNING actor_id, occurred_at, action, outcome)
  UPDATE service_accounts s SET last_token_issued_at = GREATEST(s.last_token_issued_at, t.at)
    FROM (SELECT actor_id, max(occurred_at) AS at FROM inserted
           WHERE action = 'token.grant' AND outcome = 'success' GROUP BY actor_id) t
   WHERE s.id = t.actor_id`;

const orgId = newId('org');
const at = new Date('2026-12-01T00:00:00Z');
await db.query('INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)', [orgId, 'bench', at]);
const accounts = [];
for (let i = 0; i < ACCOUNTS; i++) {
  const id = newId('svc');
  accounts.push(id);
  await db.query(`INSERT INTO service_accounts (id, org_id, name, scopes, created_at, created_by, updated_at) VALUES ($1, $2, $3, '{}', $4, 'bench', $4)`, [
    id,
    orgId,
    `sa${i}`,
    at,
  ]);
}

let clock = at.getTime();
const batch = () =>
  Array.from({ length: BATCH }, (_, i) => {
    clock += 60_000; // a grant a minute: 30 days of history after ~43,000 grants
    const sa = accounts[i % ACCOUNTS];
    const event = {
      orgId,
      action: 'token.grant',
      outcome: 'success',
      actor: { type: 'service_account', id: sa, name: 'x' },
      target: null,
      credential: 'sec_x',
      detail: { scopes: ['a:read'] },
    };
    return toAuditRow(event, { ip: '203.0.113.7', userAgent: 'bench' }, new Date(clock));
  });

const times = { old: [], new: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const variant of r % 2 ? ['new', 'old'] : ['old', 'new']) {
    const rows = batch();
    const t0 = process.hrtime.bigint();
    if (variant === 'new') await auditStore.insertGrants(db, rows);
    else await db.query(OLD_SQL, [JSON.stringify(rows.map(flat))]);
    times[variant].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
function flat(r) {
  return {
    id: r.id,
    org_id: r.orgId,
    occurred_at: r.occurredAt,
    actor_type: r.event.actor.type,
    actor_id: r.event.actor.id,
    actor_name: r.event.actor.name,
    action: r.event.action,
    outcome: r.event.outcome,
    credential: r.event.credential,
    ip: r.ctx.ip,
    user_agent: r.ctx.userAgent,
    detail: r.event.detail,
  };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${url ? 'postgres' : 'pglite'}: group commit of ${BATCH} grants, median of ${ROUNDS}: before ${median(times.old).toFixed(2)} ms, with activity ${median(times.new).toFixed(2)} ms`,
);

// 2. The read, for one account, over the last 30 days of the history written above.
const sa = accounts[0];
const end = new Date(clock);
const start = new Date(clock - 30 * 86_400_000);
const reads = { audit: [], counter: [] };
for (let r = 0; r < 20; r++) {
  let t0 = process.hrtime.bigint();
  await db.query(
    `SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*) FROM audit_events
      WHERE org_id = $1 AND actor_id = $2 AND action = 'token.grant' AND outcome = 'success' AND occurred_at >= $3 AND occurred_at < $4 GROUP BY 1`,
    [orgId, sa, start, end],
  );
  reads.audit.push(Number(process.hrtime.bigint() - t0) / 1e6);
  t0 = process.hrtime.bigint();
  await db.query('SELECT day, grants FROM service_account_grant_days WHERE service_account_id = $1 AND day >= $2::date', [sa, start]);
  reads.counter.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const [{ n }] = await db.query('SELECT count(*)::int AS n FROM audit_events');
console.log(
  `${url ? 'postgres' : 'pglite'}: 30-day activity of one account among ${n} audit rows: from the audit log ${median(reads.audit).toFixed(2)} ms, from the counter ${median(reads.counter).toFixed(2)} ms`,
);
if (url) await db.query(`DROP SCHEMA ${schema} CASCADE`);
await db.close();
