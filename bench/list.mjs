// `npm run bench:list`: a protected list that reads the database on every call, against /healthz
// of the same server in the same run (issue 16 item 6). The list is the reference API's findings
// (GET /api/v1/governance/findings?limit=BENCH_PAGE with a service account's bearer token): the access
// decision, then one keyset SELECT on `records` bound to the token's organization, which builds the
// 10-item page as JSON text (db/json-sql.ts). No data is cached, so every request is one query.
//
// Embedded PGlite always; with BENCH_DATABASE_URL also a scratch PostgreSQL database, both servers
// running side by side and measured in alternating rounds (healthz and list on each), medians.
// Target (issue 16): embedded ≥ 4,000 lists/s.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50),
// BENCH_PAGE (10: findings created and listed per call), BENCH_DATABASE_URL, GATEHOUSE_WORKERS (passed
// to the PostgreSQL server when set), BENCH_PROFILE=1 (the servers run under --cpu-prof; where each
// list request's server time went, by stage, is printed at the end), BENCH_BASELINE_MAIN (path to
// another build's main.js, e.g. a copy of packages/server/dist kept at the same depth: a second
// embedded server, tagged `baseline`, measured in the same alternating rounds, as bench/ab.mjs does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, stopLoad } from './lib/load.mjs';
import { formatStages, loadProfiles, profileFiles, stages } from './lib/profile.mjs';
import { int, resultLine } from './lib/report.mjs';
import { grantToken, startServer } from './lib/server.mjs';

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const PAGE = Math.max(1, num('BENCH_PAGE', 10));
const TARGET_EMBEDDED = 4000;
const PROFILE = process.env.BENCH_PROFILE === '1';
const profileDir = (tag) => (PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-bench-list-${tag}-`)) : undefined);

const servers = [];

/** A server with a service account and PAGE findings; returns its two scenarios. */
async function prepare(server, tag) {
  const sa = await server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, {
    name: 'bench list',
    scopes: ['governance.findings:read', 'governance.findings:write'],
  });
  const grantBody = JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret });
  const auth = async () => ({ authorization: `Bearer ${await grantToken(server.url, grantBody)}` });
  const headers = await auth();
  for (let i = 0; i < PAGE; i++) {
    const r = await fetch(`${server.url}/api/v1/governance/findings`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `bench finding ${i}`, severity: 'low', status: 'open' }),
    });
    if (r.status !== 201) throw new Error(`creating a finding failed: ${r.status} ${await r.text()}`);
  }
  const listUrl = `${server.url}/api/v1/governance/findings?limit=${PAGE}`;
  const check = await fetch(listUrl, { headers });
  const page = await check.json();
  if (check.status !== 200 || page.items?.length !== PAGE) throw new Error(`the list did not answer ${PAGE} findings: ${check.status} ${JSON.stringify(page)}`);
  return [
    { key: `${tag}:healthz`, tag, label: `${tag}: GET /healthz (baseline)`, server, request: async () => ({ url: `${server.url}/healthz` }) },
    // A fresh token per measurement: tokens live 15 minutes, long runs outlive one.
    {
      key: `${tag}:list`,
      tag,
      label: `${tag}: GET /api/v1/governance/findings?limit=${PAGE}`,
      server,
      request: async () => ({ url: listUrl, headers: await auth() }),
    },
  ];
}

async function main() {
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(`DB-backed list benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${load.join(' ')}`);
  const embedded = await startServer({ embedded: true, profileDir: profileDir('embedded') });
  servers.push(embedded);
  const scenarios = await prepare(embedded, 'embedded');
  if (process.env.BENCH_BASELINE_MAIN) {
    const baseline = await startServer({ embedded: true, main: path.resolve(process.env.BENCH_BASELINE_MAIN), profileDir: profileDir('baseline') });
    servers.push(baseline);
    scenarios.push(...(await prepare(baseline, 'baseline')));
  }
  if (process.env.BENCH_DATABASE_URL) {
    const pg = await startServer({ profileDir: profileDir('postgres') });
    servers.push(pg);
    scenarios.push(...(await prepare(pg, 'PostgreSQL')));
  }
  for (const s of servers) console.log(`Server: pid ${s.pid}, ${s.database}`);
  console.log(`Each measurement: ${WARMUP} s warm-up, ${SECONDS} s at ${CONNECTIONS} connections, ${ROUNDS} rounds alternating (median reported)\n`);

  const runs = new Map(scenarios.map((s) => [s.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    // Every other round in reverse, so that no scenario always follows the same one.
    for (const s of round % 2 ? scenarios : [...scenarios].reverse()) {
      process.stdout.write(`  round ${round}: ${s.label} … `);
      const r = await measure(
        { label: s.label, request: await s.request() },
        { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, serverCpuSeconds: s.server.cpuSeconds },
      );
      runs.get(s.key).push(r);
      console.log(`${int(r.rps)} req/s  (load average ${os.loadavg()[0].toFixed(2)})`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  console.log('');
  for (const s of scenarios) {
    const r = median(runs.get(s.key));
    console.log(resultLine(r, { unit: 'req', rate: 'req/s', labelWidth: 64 }));
  }
  console.log('');
  for (const tag of new Set(scenarios.map((s) => s.tag))) {
    const list = median(runs.get(`${tag}:list`));
    const base = median(runs.get(`${tag}:healthz`));
    const goal = tag === 'embedded' ? `   target ≥ ${int(TARGET_EMBEDDED)}/s: ${list.rps >= TARGET_EMBEDDED ? 'met' : 'NOT MET'}` : '';
    console.log(`${`${tag}: list / healthz`.padEnd(28)} ${((100 * list.rps) / base.rps).toFixed(1).padStart(5)} %   ${int(list.rps)} lists/s${goal}`);
  }
  if (runs.has('baseline:list')) {
    const [c, b] = ['embedded', 'baseline'].map((tag) => median(runs.get(`${tag}:list`)));
    const cpu = (r) => r.serverCpuUsPerRequest ?? 0;
    console.log(`embedded / baseline list: rate ${(c.rps / b.rps).toFixed(3)}×, server CPU per list ${(cpu(c) / cpu(b)).toFixed(3)}×`);
  }
  if (PROFILE) {
    // A profile is written when its server exits.
    await stopAll();
    for (const s of scenarios.filter((x) => x.key.endsWith(':list'))) {
      const r = median(runs.get(s.key));
      const profiles = loadProfiles(profileFiles(s.server.profileDir));
      console.log(`\n== ${s.label} (profiled; figures lower than usual)\n${formatStages(stages(profiles, r.window), r.requests)}`);
    }
  }
  console.log(
    `(${CONNECTIONS} connections; load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, at start ${load.join(' ')})`,
  );
}

const stopAll = () => Promise.allSettled(servers.map((s) => s.stop()));
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    stopLoad();
    stopAll().finally(() => process.exit(130));
  });
main().then(stopAll, async (err) => {
  console.error(`\nLIST BENCH ABORTED: ${err.message}`);
  await stopAll();
  process.exit(1);
});
