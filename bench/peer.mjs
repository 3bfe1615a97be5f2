// `npm run bench:peer`: Gatehouse's client-credentials grant against node-oidc-provider's, same
// load, same machine, same run. Installs oidc-provider into bench/.peer (gitignored) the first
// time. Both servers are child processes; rounds alternate between them so that the machine's
// noise falls on both; the median round of each is compared.
//
//   Gatehouse: checks the secret (HMAC), mints an ES256 JWT, audits the grant (group commit,
//              PGlite by default or a scratch PostgreSQL with BENCH_DATABASE_URL) before answering
//   peer:      checks the secret, mints an ES256 JWT, audits nothing, stores nothing
//
// Target: Gatehouse ≥ 2× the peer's rate. Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2),
// BENCH_ROUNDS (3), BENCH_CONNECTIONS (100), BENCH_DATABASE_URL.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, stopLoad } from './lib/load.mjs';
import { int } from './lib/report.mjs';
import { cpuReader, startServer } from './lib/server.mjs';

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

async function startPeer(clientId, clientSecret) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [path.join(here, 'peer/oidc-provider-server.mjs'), String(port), clientId, clientSecret], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}`)));
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

async function main() {
  installPeer();
  console.log(`Peer benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`);
  gatehouse = await startServer({ env: { GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000000/1000000', GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000000/1000000' } });
  const sa = await gatehouse.consoleCall('POST', `/console/api/orgs/${gatehouse.orgId}/service-accounts`, { name: 'peer bench', scopes: ['audit-log:read'] });
  const peerSecret = crypto.randomBytes(32).toString('base64url');
  peer = await startPeer('bench-client', peerSecret);

  // The same request on both: form body, HTTP Basic, asking for the one scope.
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
    {
      key: 'peer',
      label: `node-oidc-provider ${PEER_VERSION} (no audit, no storage)`,
      server: peer,
      request: request(peer.url, '/token', 'bench-client', peerSecret),
    },
  ];
  // Both must answer a JWT before anything is measured.
  for (const s of sides) {
    const r = await fetch(s.request.url, { method: 'POST', headers: s.request.headers, body: s.request.body });
    const body = await r.json();
    if (r.status !== 200 || body.access_token?.split('.').length !== 3) throw new Error(`${s.key} did not grant a JWT: ${r.status} ${JSON.stringify(body)}`);
  }
  console.log(`Each measurement: ${WARMUP} s warm-up, ${SECONDS} s at ${CONNECTIONS} connections, ${ROUNDS} rounds alternating (median reported)\n`);
  const results = { gatehouse: [], peer: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of sides) {
      process.stdout.write(`  round ${round}: ${s.key} … `);
      const r = await measure(
        { label: s.label, request: s.request },
        { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, serverCpuSeconds: s.server.cpuSeconds },
      );
      results[s.key].push(r);
      console.log(`${int(r.rps)} grants/s`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  const g = median(results.gatehouse);
  const p = median(results.peer);
  console.log('');
  for (const r of [g, p]) {
    console.log(
      `${r.label.padEnd(72)} ${int(r.rps).padStart(7)} grants/s  p99 ${r.latencyMs.p99} ms  server CPU ${Math.round(r.serverCpuPercent ?? 0)} %  ${Math.round(r.serverCpuUsPerRequest ?? 0)} µs/grant`,
    );
  }
  const ratio = g.rps / p.rps;
  console.log(`\nGatehouse / node-oidc-provider: ${ratio.toFixed(2)}×   target ≥ 2×: ${ratio >= 2 ? 'met' : 'NOT MET'}`);
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    stopLoad();
    Promise.allSettled([gatehouse?.stop(), peer?.stop()]).finally(() => process.exit(130));
  });
main().then(
  () => Promise.allSettled([gatehouse?.stop(), peer?.stop()]),
  async (err) => {
    console.error(`\nPEER BENCH ABORTED: ${err.message}`);
    await Promise.allSettled([gatehouse?.stop(), peer?.stop()]);
    process.exit(1);
  },
);
