// `npm run bench`: measures Gatehouse against baselines taken in the same run, on the same
// server, so that a noisy shared machine moves both sides alike. Prints rates and ratios.
//
//   token grants      POST /api/v1/auth/token (client credentials; each mints a JWT and is audited)
//   protected call    GET /api/v1/auth/validate with a bearer token (the access decision alone)
//   protected list    GET /api/v1/governance/controls (access decision + one database read)
//   baseline          GET /healthz, measured right before each of the above
//
// BENCH_SECONDS (default 5) sets each measurement's length, after a 2-second warm-up; each pair
// is measured BENCH_ROUNDS (default 3) times and the median ratio reported. BENCH_DATABASE_URL=
// postgres://... runs the server on a scratch database of that PostgreSQL instead of PGlite.
import autocannon from 'autocannon';
import { startServer } from './server.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 2;

function load(opts, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 50, ...opts, duration }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function measure(label, opts) {
  await load(opts, WARMUP);
  const r = await load(opts, SECONDS);
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad > 0) throw new Error(`${label}: ${bad} failed responses out of ${r.requests.total}; a benchmark of errors means nothing`);
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  // A single benchmark client would trip the per-client and per-address limits at once.
  const limits = { GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000000/1000000', GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000000/1000000' };
  const server = await startServer(limits);
  console.log(`Gatehouse benchmark: ${SECONDS} s per measurement, median of ${ROUNDS} rounds, ${server.database}, token rate limits raised for the run`);
  try {
    const sa = await server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, {
      name: 'bench', scopes: ['governance.controls:read', 'audit-log:read'],
    });
    const grantBody = JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
    const token = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: grantBody })
      .then((r) => r.json()).then((b) => b.access_token);
    const bearer = { authorization: `Bearer ${token}` };
    const healthz = { url: `${server.url}/healthz` };

    const rows = [];
    // Baseline and subject alternate, ROUNDS times; the round with the median ratio is reported,
    // so one noisy second on a shared machine does not decide the result.
    const pair = async (label, opts, target) => {
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        const base = await measure('GET /healthz (baseline)', healthz);
        const subject = await measure(label, opts);
        rounds.push({ base, subject, target, ratio: subject.rps / base.rps });
      }
      rounds.sort((a, b) => a.ratio - b.ratio);
      rows.push(rounds[Math.floor(rounds.length / 2)]);
    };
    // Grants are driven with 100 connections: each response waits for its audit row's group commit,
    // so more integrations at once means bigger batches rather than more work per grant.
    await pair('POST /api/v1/auth/token', {
      url: `${server.url}/api/v1/auth/token`, method: 'POST', connections: 100,
      headers: { 'content-type': 'application/json' }, body: grantBody,
    }, { rps: 5000 });
    await pair('GET /api/v1/auth/validate (protected)', { url: `${server.url}/api/v1/auth/validate`, headers: bearer }, { ratio: 0.8 });
    await pair('GET /api/v1/governance/controls (protected, reads the database)', { url: `${server.url}/api/v1/governance/controls?limit=10`, headers: bearer }, {});

    console.log('');
    console.log('| measurement | req/s | p50 ms | p99 ms | /healthz req/s (same run) | ratio | target |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const { base, subject, target, ratio } of rows) {
      const goal = target.rps ? `≥ ${fmt(target.rps)}/s: ${subject.rps >= target.rps ? 'met' : 'NOT met'}`
        : target.ratio ? `≥ ${target.ratio * 100} % of /healthz: ${ratio >= target.ratio ? 'met' : 'NOT met'}` : '—';
      console.log(`| ${subject.label} | ${fmt(subject.rps)} | ${subject.p50} | ${subject.p99} | ${fmt(base.rps)} | ${(ratio * 100).toFixed(1)} % | ${goal} |`);
    }
    console.log('');
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
