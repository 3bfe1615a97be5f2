// `npm run bench:peer`: Gatehouse's client-credentials grant against node-oidc-provider's and
// against a hand-rolled minimal endpoint, same load, same machine, same run. Installs
// oidc-provider into bench/.peer (gitignored) the first time. All three servers are child
// processes; rounds alternate between them so that the machine's noise falls on all; the median
// round of each is compared.
//
//   Gatehouse:   checks the secret (HMAC), mints an ES256 JWT, audits the grant (group commit,
//                PGlite by default or a scratch PostgreSQL with BENCH_DATABASE_URL) before answering
//   peer:        node-oidc-provider: checks the secret, mints an ES256 JWT, audits nothing, stores nothing
//   hand-rolled: node:http, HMAC compare, node:crypto ES256, JSON (bench/peer/hand-rolled-server.mjs):
//                the practical ceiling for this work on this machine
//
// Targets (issue 16): Gatehouse ≥ 2× the peer (≥ 2.5× on PostgreSQL with workers) and ≥ 0.75× the
// hand-rolled endpoint. Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (100; the issue also asks for 50), BENCH_DATABASE_URL, GATEHOUSE_WORKERS (passed
// to the server when set), BENCH_SIDES (gatehouse,peer,hand-rolled: a subset to run), and
// BENCH_BASELINE_MAIN=path/to/another/build/main.js: a fourth side, that build of Gatehouse, to
// prove an optimization against the code before it in the same run (alternating rounds).
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, stopLoad } from './lib/load.mjs';
import { int, resultLine } from './lib/report.mjs';
import { BENCH_RATE_LIMITS, cpuReader, freePort, startServer } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PEER_DIR = path.join(here, '.peer');
const PEER_VERSION = '9.13.3';
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const CONNECTIONS = num('BENCH_CONNECTIONS', 100);

function installPeer() {
  const installed = path.join(PEER_DIR, 'node_modules/oidc-provider/package.json');
  if (fs.existsSync(installed) && JSON.parse(fs.readFileSync(installed, 'utf8')).version === PEER_VERSION) return;
  console.log(`Installing oidc-provider@${PEER_VERSION} into ${path.relative(process.cwd(), PEER_DIR)} (the bench folder only) …`);
  fs.mkdirSync(PEER_DIR, { recursive: true });
  if (!fs.existsSync(path.join(PEER_DIR, 'package.json'))) fs.writeFileSync(path.join(PEER_DIR, 'package.json'), '{"private":true}\n');
  execFileSync('npm', ['install', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--no-save', `oidc-provider@${PEER_VERSION}`, 'jose@6'], {
    stdio: 'inherit',
  });
}

/** A comparison server (node bench/peer/SCRIPT PORT ID SECRET) that prints `ready` once listening. */
async function startSide(script, clientId, clientSecret) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(here, 'peer', script), String(port), clientId, clientSecret], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    url: `http://127.0.0.1:${port}`,
    cpuSeconds: cpuReader(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let gatehouse = null;
let peer = null;
let handRolled = null;
let baseline = null;
const BASELINE_MAIN = process.env.BENCH_BASELINE_MAIN ? path.resolve(process.env.BENCH_BASELINE_MAIN) : null;
const SIDES = new Set((process.env.BENCH_SIDES ?? 'gatehouse,peer,hand-rolled').split(',').map((x) => x.trim()));

async function main() {
  if (SIDES.has('peer')) installPeer();
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(`Peer benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${load.join(' ')}`);
  gatehouse = await startServer({ env: BENCH_RATE_LIMITS });
  const sa = await gatehouse.consoleCall('POST', `/console/api/orgs/${gatehouse.orgId}/service-accounts`, { name: 'peer bench', scopes: ['audit-log:read'] });
  let baselineSa = null;
  if (BASELINE_MAIN) {
    baseline = await startServer({ env: BENCH_RATE_LIMITS, main: BASELINE_MAIN });
    baselineSa = await baseline.consoleCall('POST', `/console/api/orgs/${baseline.orgId}/service-accounts`, { name: 'peer bench', scopes: ['audit-log:read'] });
  }
  const sideSecret = crypto.randomBytes(32).toString('base64url');
  if (SIDES.has('peer')) peer = await startSide('oidc-provider-server.mjs', 'bench-client', sideSecret);
  if (SIDES.has('hand-rolled')) handRolled = await startSide('hand-rolled-server.mjs', 'bench-client', sideSecret);

  // The same request on all: form body, HTTP Basic, asking for the one scope.
  const request = (url, pathname, id, secret) => ({
    url: `${url}${pathname}`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials&scope=audit-log%3Aread',
  });
  const sides = [
    {
      key: 'gatehouse',
      label: `Gatehouse (${gatehouse.database}, every grant audited)`,
      server: gatehouse,
      request: request(gatehouse.url, '/api/v1/auth/token', sa.clientId, sa.clientSecret),
    },
    baseline && {
      key: 'baseline',
      label: `Gatehouse baseline build (${path.relative(process.cwd(), BASELINE_MAIN)})`,
      server: baseline,
      request: request(baseline.url, '/api/v1/auth/token', baselineSa.clientId, baselineSa.clientSecret),
    },
    peer && {
      key: 'peer',
      label: `node-oidc-provider ${PEER_VERSION} (no audit, no storage)`,
      server: peer,
      request: request(peer.url, '/token', 'bench-client', sideSecret),
    },
    handRolled && {
      key: 'hand-rolled',
      label: 'hand-rolled node:http + node:crypto (no DB, no audit)',
      server: handRolled,
      request: request(handRolled.url, '/token', 'bench-client', sideSecret),
    },
  ].filter(Boolean);
  // Every side must answer a JWT before anything is measured.
  for (const s of sides) {
    const r = await fetch(s.request.url, { method: 'POST', headers: s.request.headers, body: s.request.body });
    const body = await r.json();
    if (r.status !== 200 || body.access_token?.split('.').length !== 3) throw new Error(`${s.key} did not grant a JWT: ${r.status} ${JSON.stringify(body)}`);
  }
  console.log(`Each measurement: ${WARMUP} s warm-up, ${SECONDS} s at ${CONNECTIONS} connections, ${ROUNDS} rounds alternating (median reported)\n`);
  const results = Object.fromEntries(sides.map((s) => [s.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of sides) {
      process.stdout.write(`  round ${round}: ${s.key} … `);
      const r = await measure(
        { label: s.label, request: s.request },
        { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, serverCpuSeconds: s.server.cpuSeconds },
      );
      results[s.key].push(r);
      console.log(`${int(r.rps)} grants/s  (load average ${os.loadavg()[0].toFixed(2)})`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  const m = Object.fromEntries(sides.map((s) => [s.key, median(results[s.key])]));
  console.log('');
  for (const r of Object.values(m)) {
    console.log(resultLine(r, { unit: 'grant', rate: 'grants/s', labelWidth: 92 }));
  }
  const g = m.gatehouse;
  const verdict = (ratio, goal) => `target ≥ ${goal}×: ${ratio >= goal ? 'met' : 'NOT MET'}`;
  console.log('');
  if (m.peer) {
    const ratio = g.rps / m.peer.rps;
    const goal = process.env.BENCH_DATABASE_URL && Number(process.env.GATEHOUSE_WORKERS ?? 1) > 1 ? 2.5 : 2;
    console.log(`Gatehouse / node-oidc-provider: ${ratio.toFixed(2)}×   ${verdict(ratio, goal)}`);
  }
  if (m.baseline)
    console.log(
      `Gatehouse / baseline build:     ${(g.rps / m.baseline.rps).toFixed(2)}× by rate, ${(g.serverCpuUsPerRequest / m.baseline.serverCpuUsPerRequest).toFixed(2)}× server CPU per grant`,
    );
  if (m['hand-rolled']) {
    const ratio = g.rps / m['hand-rolled'].rps;
    console.log(`Gatehouse / hand-rolled:        ${ratio.toFixed(2)}×   ${verdict(ratio, 0.75)}`);
  }
  console.log(
    `(${CONNECTIONS} connections; a load generator near 100 % CPU caps the fastest side; load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, at start ${load.join(' ')})`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    stopLoad();
    Promise.allSettled([gatehouse?.stop(), peer?.stop(), handRolled?.stop(), baseline?.stop()]).finally(() => process.exit(130));
  });
main().then(
  () => Promise.allSettled([gatehouse?.stop(), peer?.stop(), handRolled?.stop(), baseline?.stop()]),
  async (err) => {
    console.error(`\nPEER BENCH ABORTED: ${err.message}`);
    await Promise.allSettled([gatehouse?.stop(), peer?.stop(), handRolled?.stop(), baseline?.stop()]);
    process.exit(1);
  },
);
