// `BENCH_DATABASE_URL=postgres://... npm run bench:propagation`: how long a disable made through
// one instance takes to hold on another (§9: within one second). Two server processes on one
// scratch PostgreSQL database; each trial creates a service account, warms instance B with a
// live token (so B has the account cached), disables the account through A, and times how long
// B keeps answering 200 before its first 401. Prints p50, p99 and the maximum over the trials.
//
// Environment: BENCH_DATABASE_URL (required), BENCH_TRIALS (100).
import { scratchPostgres, startServer } from './lib/server.mjs';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 100);
if (!process.env.BENCH_DATABASE_URL) {
  console.error('bench:propagation needs BENCH_DATABASE_URL=postgres://... (instances share a PostgreSQL; PGlite is one process)');
  process.exit(2);
}

const servers = [];
let db = null;

async function main() {
  db = await scratchPostgres();
  // One issuer for both, as instances behind one load balancer share one public URL.
  const env = { GATEHOUSE_ISSUER: 'http://gatehouse.bench.test' };
  const a = await startServer({ sharedDatabase: db.env, env });
  servers.push(a);
  const b = await startServer({ sharedDatabase: db.env, env });
  servers.push(b);
  console.log(`Two instances on one PostgreSQL: A ${a.url}, B ${b.url}; ${TRIALS} trials\n`);
  const times = [];
  for (let i = 0; i < TRIALS; i++) {
    const sa = await a.consoleCall('POST', `/console/api/orgs/${a.orgId}/service-accounts`, { name: `propagation ${i}`, scopes: ['audit-log:read'] });
    const t = await fetch(`${a.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret }),
    }).then((r) => r.json());
    const onB = () => fetch(`${b.url}/api/v1/auth/validate`, { headers: { authorization: `Bearer ${t.access_token}` } }).then((r) => r.status);
    if ((await onB()) !== 200) throw new Error('B did not accept a fresh token');
    const start = performance.now();
    await a.consoleCall('POST', `/console/api/orgs/${a.orgId}/service-accounts/${sa.clientId}/disable`);
    // Measured from the moment A answered the disable: that is when the operator believes it done.
    const answered = performance.now();
    for (;;) {
      const status = await onB();
      if (status === 401) break;
      if (status !== 200) throw new Error(`B answered ${status}`);
      if (performance.now() - answered > 10_000) throw new Error('B still accepts the token 10 s after the disable');
    }
    times.push({ afterAnswer: performance.now() - answered, total: performance.now() - start });
  }
  const pick = (key, q) => {
    const xs = times.map((t) => t[key]).sort((x, y) => x - y);
    return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  };
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log('disable on A → first 401 on B        p50        p99        max');
  for (const [key, label] of [
    ['afterAnswer', 'after A answered the disable'],
    ['total', 'from the disable request'],
  ]) {
    console.log(`  ${label.padEnd(34)} ${ms(pick(key, 0.5)).padStart(9)}  ${ms(pick(key, 0.99)).padStart(9)}  ${ms(pick(key, 1)).padStart(9)}`);
  }
  const p99 = pick('afterAnswer', 0.99);
  console.log(`\ntarget: within one second: ${p99 < 1000 ? 'met' : 'NOT MET'} (p99 ${ms(p99)})`);
}

const cleanup = async () => {
  for (const s of servers.reverse()) await s.stop().catch(() => {});
  await db?.drop().catch(() => {});
};
process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
main().then(cleanup, async (err) => {
  console.error(`\nBENCH ABORTED: ${err.message}`);
  await cleanup();
  process.exit(1);
});
