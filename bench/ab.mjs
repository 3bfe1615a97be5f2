// `node bench/ab.mjs BASELINE_MAIN`: the current build against another build of the server (for
// example a copy of packages/server/dist taken before a change, kept at the same depth so that its
// relative paths resolve), on GET /healthz and on token grants, alternating rounds in the same run,
// medians of server CPU per request (less noisy than the rate on a shared machine) and of the rate.
// Used to prove an optimization of the request path. Environment: BENCH_SECONDS (5),
// BENCH_WARMUP_SECONDS (1), BENCH_ROUNDS (7), BENCH_CONNECTIONS (50).
import os from 'node:os';
import path from 'node:path';
import { measure, stopLoad } from './lib/load.mjs';
import { int } from './lib/report.mjs';
import { BENCH_RATE_LIMITS, startServer } from './lib/server.mjs';

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = num('BENCH_SECONDS', 5);
const WARMUP = num('BENCH_WARMUP_SECONDS', 1);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 7));
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const baselineMain = process.argv[2] && path.resolve(process.argv[2]);
if (!baselineMain) {
  console.error('usage: node bench/ab.mjs path/to/baseline/main.js');
  process.exit(2);
}
const servers = [];

async function scenarios(server, build) {
  const sa = await server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, { name: 'ab', scopes: ['audit-log:read'] });
  const body = JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
  return [
    { key: `healthz ${build}`, server, request: { url: `${server.url}/healthz` } },
    {
      key: `token ${build}`,
      server,
      request: { url: `${server.url}/api/v1/auth/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body },
    },
  ];
}

async function main() {
  console.log(
    `A/B — load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const current = await startServer({ env: BENCH_RATE_LIMITS, embedded: true });
  servers.push(current);
  const baseline = await startServer({ env: BENCH_RATE_LIMITS, embedded: true, main: baselineMain });
  servers.push(baseline);
  const all = [...(await scenarios(current, 'current')), ...(await scenarios(baseline, 'baseline'))];
  // Interleaved: healthz current, healthz baseline, token current, token baseline.
  const order = [all[0], all[2], all[1], all[3]];
  const runs = new Map(order.map((s) => [s.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of round % 2 ? order : [order[1], order[0], order[3], order[2]]) {
      const r = await measure(
        { label: s.key, request: s.request },
        { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, serverCpuSeconds: s.server.cpuSeconds },
      );
      runs.get(s.key).push(r);
      console.log(
        `  round ${round}: ${s.key.padEnd(17)} ${int(r.rps).padStart(7)}/s  ${r.serverCpuUsPerRequest.toFixed(1).padStart(6)} µs CPU/req  (load ${os.loadavg()[0].toFixed(2)})`,
      );
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const stat = (key) => ({ rps: med(runs.get(key).map((r) => r.rps)), us: med(runs.get(key).map((r) => r.serverCpuUsPerRequest)) });
  console.log('');
  for (const what of ['healthz', 'token']) {
    const c = stat(`${what} current`);
    const b = stat(`${what} baseline`);
    console.log(
      `${what.padEnd(8)} current ${int(c.rps)}/s ${c.us.toFixed(1)} µs/req; baseline ${int(b.rps)}/s ${b.us.toFixed(1)} µs/req; current/baseline: rate ${(c.rps / b.rps).toFixed(3)}×, CPU per request ${(c.us / b.us).toFixed(3)}×`,
    );
  }
  console.log(
    `load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

const stopAll = () => Promise.allSettled(servers.map((s) => s.stop()));
process.once('SIGINT', () => {
  stopLoad();
  stopAll().finally(() => process.exit(130));
});
main().then(stopAll, async (err) => {
  console.error(`A/B ABORTED: ${err.message}`);
  await stopAll();
  process.exit(1);
});
