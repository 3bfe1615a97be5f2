// `npm run bench:thread`: the embedded database in its worker thread (the default) against PGlite on
// the request thread (GATEHOUSE_PGLITE_THREAD=main), same build, same run: grants (with
// node-oidc-provider as the peer, when bench:peer has installed it) and the DB-backed findings list.
// Alternating rounds, medians; prints each side's total and request-thread CPU per request.
// Environment: BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (3), BENCH_CONNECTIONS (100), NO_PEER.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/load.mjs';
import { BENCH_RATE_LIMITS, freePort, startServer } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const num = (n, d) => (process.env[n] ? Number(process.env[n]) : d);
const SECONDS = num('BENCH_SECONDS', 5),
  WARMUP = num('BENCH_WARMUP_SECONDS', 2),
  ROUNDS = num('BENCH_ROUNDS', 3),
  CONN = num('BENCH_CONNECTIONS', 100);
const limits = BENCH_RATE_LIMITS;
const basic = (id, s) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`;
const form = (url, id, s) => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, s) },
  body: 'grant_type=client_credentials&scope=audit-log%3Aread',
});

/** CPU seconds of the server's main (request) thread alone: /proc/PID/task/PID/stat. */
function mainThreadCpu(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
async function gatehouse(thread) {
  const g = await startServer({ env: { ...limits, ...(thread === 'main' ? { GATEHOUSE_PGLITE_THREAD: 'main' } : {}) } });
  const sa = await g.consoleCall('POST', `/console/api/orgs/${g.orgId}/service-accounts`, {
    name: `bench ${thread}`,
    scopes: ['audit-log:read', 'governance.findings:read'],
  });
  const tok = await (
    await fetch(`${g.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret, scope: 'governance.findings:read' }),
    })
  ).json();
  const list = { url: `${g.url}/api/v1/governance/findings?limit=20`, method: 'GET', headers: { authorization: `Bearer ${tok.access_token}` } };
  const probe = await fetch(list.url, { headers: list.headers });
  const body = await probe.json();
  if (probe.status !== 200) throw new Error(`list ${probe.status} ${JSON.stringify(body)}`);
  return { g, grant: form(`${g.url}/api/v1/auth/token`, sa.clientId, sa.clientSecret), list, items: body.items.length };
}
async function peer() {
  const secret = crypto.randomBytes(32).toString('base64url');
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(here, 'peer/oidc-provider-server.mjs'), String(port), 'bench-client', secret], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((res) => child.stdout.on('data', (d) => String(d).includes('ready') && res()));
  process.once('exit', () => child.kill('SIGKILL'));
  return { grant: form(`http://127.0.0.1:${port}/token`, 'bench-client', secret), stop: () => child.kill('SIGTERM') };
}
const W = await gatehouse('worker'),
  M = await gatehouse('main');
const P = process.env.NO_PEER || !fs.existsSync(path.join(here, '.peer/node_modules/oidc-provider')) ? null : await peer();
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}; ${SECONDS}s x ${ROUNDS} rounds at ${CONN} connections; findings page items: ${W.items}/${M.items}`,
);
const sides = [
  ['grant worker', W.g, W.grant],
  ['grant main', M.g, M.grant],
  ...(P ? [['grant peer', null, P.grant]] : []),
  ['list worker', W.g, W.list],
  ['list main', M.g, M.list],
];
const res = Object.fromEntries(sides.map(([k]) => [k, []]));
for (let r = 1; r <= ROUNDS; r++)
  for (const [k, g, request] of sides) {
    await measure({ label: k, request }, { seconds: WARMUP, warmupSeconds: 0, connections: CONN });
    const main0 = g ? mainThreadCpu(g.pid) : 0;
    const m = await measure({ label: k, request }, { seconds: SECONDS, warmupSeconds: 0, connections: CONN, serverCpuSeconds: g ? g.cpuSeconds : () => null });
    m.mainUsPerReq = g ? ((mainThreadCpu(g.pid) - main0) * 1e6) / m.requests : null;
    res[k].push(m);
    console.log(
      `round ${r} ${k.padEnd(13)} ${Math.round(m.rps)}/s p99 ${m.latencyMs.p99} ms cpu ${Math.round(m.serverCpuPercent ?? 0)}% total ${Math.round(m.serverCpuUsPerRequest ?? 0)} µs/req, request thread ${Math.round(m.mainUsPerReq ?? 0)} µs/req load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
const medOf = (xs) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0);
const med = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
console.log('\nmedians:');
for (const [k] of sides) {
  const m = med(res[k]);
  console.log(
    `${k.padEnd(13)} ${Math.round(m.rps)}/s p99 ${m.latencyMs.p99} ms server CPU ${Math.round(m.serverCpuPercent ?? 0)}% ${Math.round(m.serverCpuUsPerRequest ?? 0)} µs/req, request thread ${Math.round(m.mainUsPerReq ?? 0)} µs/req (median of rounds: total ${medOf(res[k].map((x) => x.serverCpuUsPerRequest))}, request thread ${medOf(res[k].map((x) => x.mainUsPerReq))})`,
  );
}
if (P)
  console.log(
    `grant worker/peer ${(med(res['grant worker']).rps / med(res['grant peer']).rps).toFixed(2)}x, grant main/peer ${(med(res['grant main']).rps / med(res['grant peer']).rps).toFixed(2)}x`,
  );
console.log(`list worker/main ${(med(res['list worker']).rps / med(res['list main']).rps).toFixed(2)}x`);
await Promise.allSettled([W.g.stop(), M.g.stop()]);
P?.stop();
process.exit(0);
