// `npm run bench:growth`: what a million grants leave behind on the embedded database (issue 16
// items 5 and 6): the server's resident memory (RSS) and the data directory's growth. Every grant
// writes one audit row ([A1]) and moves its account's "last token issued", so the audit table is
// what grows until retention ([R2], GATEHOUSE_AUDIT_RETENTION_DAYS) prunes it.
//
// The grants are made at full speed (autocannon, BENCH_CONNECTIONS connections) in ten equal steps;
// after each step the server's RSS (/proc VmRSS) and the data directory's size (`du`) are printed,
// so that the growth is seen to be linear rather than taken on faith. Figures are measured for
// BENCH_GRANTS grants; "per million" is a straight scaling of that measured growth, and the output
// says so whenever BENCH_GRANTS is not a million.
//
// Environment: BENCH_GRANTS (1,000,000), BENCH_CONNECTIONS (100).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { int } from './lib/report.mjs';
import { BENCH_RATE_LIMITS, startServer } from './lib/server.mjs';

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const GRANTS = Math.max(10, num('BENCH_GRANTS', 1_000_000));
const CONNECTIONS = num('BENCH_CONNECTIONS', 100);
const STEPS = 10;

let server = null;
let current = null;

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** VmRSS (resident now) and VmHWM (the peak) of a process, in bytes. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
/** Bytes on disk (allocated blocks) and the apparent size, as `du` counts them. */
function diskUsage(dir) {
  const du = (args) => Number(execFileSync('du', [...args, dir], { encoding: 'utf8' }).split('\t')[0]);
  return { allocated: du(['-sk']) * 1024, apparent: du(['-sb']) };
}
/** The parts of the data directory, biggest first (PGlite's cluster: base/ the tables, pg_wal/ the log). */
function parts(dir, depth = 0) {
  const out = execFileSync('du', ['-sk', ...fs.readdirSync(dir).map((f) => `${dir}/${f}`)], { encoding: 'utf8' });
  const sizes = out
    .trim()
    .split('\n')
    .map((line) => {
      const [kb, p] = line.split('\t');
      return [p.slice(dir.length + 1), Number(kb) * 1024];
    })
    .sort((a, b) => b[1] - a[1]);
  // The data directory holds the Postgres cluster one level down (pgdata/): list that level instead.
  const [top] = sizes;
  if (depth === 0 && top && fs.statSync(`${dir}/${top[0]}`).isDirectory()) return parts(`${dir}/${top[0]}`, 1).map(([p, b]) => [`${top[0]}/${p}`, b]);
  return sizes;
}

function grants(request, amount) {
  return new Promise((resolve, reject) => {
    current = autocannon({ ...request, connections: CONNECTIONS, pipelining: 1, timeout: 10, amount }, (err, res) => {
      current = null;
      if (err) return reject(err);
      const bad = res.non2xx + res.errors + res.timeouts;
      if (bad > 0) reject(new Error(`${bad} of ${res.requests.total} grants failed (${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts)`));
      else resolve(res);
    });
  });
}

async function main() {
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`Growth benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}`);
  server = await startServer({ embedded: true, env: BENCH_RATE_LIMITS });
  const { pid, dataDir } = server;
  const sa = await server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, { name: 'growth bench', scopes: ['audit-log:read'] });
  const request = {
    url: `${server.url}/api/v1/auth/token`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret }),
  };
  const before = { mem: memory(pid), disk: diskUsage(dataDir), parts: new Map(parts(dataDir)) };
  console.log(`Server: pid ${pid}, ${server.database}: ${dataDir}`);
  console.log(`Before: RSS ${mb(before.mem.rss)}, data directory ${mb(before.disk.allocated)} on disk (${mb(before.disk.apparent)} apparent)`);
  console.log(`${int(GRANTS)} grants at ${CONNECTIONS} connections, in ${STEPS} steps:\n`);

  const started = Date.now();
  let done = 0;
  for (let step = 1; step <= STEPS; step++) {
    const amount = Math.round((GRANTS * step) / STEPS) - done;
    const t0 = Date.now();
    await grants(request, amount);
    done += amount;
    const { rss } = memory(pid);
    const disk = diskUsage(dataDir);
    console.log(
      `  ${int(done).padStart(9)} grants  ${int((amount * 1000) / (Date.now() - t0)).padStart(6)}/s  RSS ${mb(rss).padStart(9)}  data dir ${mb(disk.allocated).padStart(9)}  (+${mb(disk.allocated - before.disk.allocated)})  load ${load()}`,
    );
  }
  const seconds = (Date.now() - started) / 1000;
  const after = { mem: memory(pid), disk: diskUsage(dataDir) };
  const perMillion = (bytes) => (bytes * 1_000_000) / GRANTS;
  const scaled = GRANTS === 1_000_000 ? '' : ` (scaled from ${int(GRANTS)} measured grants)`;
  console.log(`\n${int(GRANTS)} grants in ${seconds.toFixed(0)} s (${int(GRANTS / seconds)}/s), load average now ${load()}`);
  console.log(`RSS after: ${mb(after.mem.rss)} (before ${mb(before.mem.rss)}; peak ${mb(after.mem.peak)})`);
  console.log(
    `Data directory: ${mb(before.disk.allocated)} → ${mb(after.disk.allocated)} on disk; growth per million grants ${mb(perMillion(after.disk.allocated - before.disk.allocated))}${scaled}, ` +
      `${Math.round((after.disk.allocated - before.disk.allocated) / GRANTS)} bytes per grant`,
  );
  // base/ (tables and indexes) is what retention bounds; pg_wal/ is the write-ahead log, which
  // Postgres recycles after a checkpoint (max_wal_size), so it does not grow with the table.
  console.log('Largest parts of the data directory now (growth per million grants beside each):');
  for (const [p, bytes] of parts(dataDir).slice(0, 4)) {
    console.log(`  ${mb(bytes).padStart(10)}  ${p.padEnd(16)} +${mb(perMillion(bytes - (before.parts.get(p) ?? 0)))} per million${scaled}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    current?.stop();
    Promise.resolve(server?.stop()).finally(() => process.exit(130));
  });
main().then(
  () => server?.stop(),
  async (err) => {
    console.error(`\nGROWTH BENCH ABORTED: ${err.message}`);
    await server?.stop();
    process.exit(1);
  },
);
