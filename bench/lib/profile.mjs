// Summarises V8 CPU profiles (`node --cpu-prof` output, *.cpuprofile): where the server spent
// its time, by area (our code, each npm package, Node internals, PGlite's WebAssembly), by
// function (self time), and for our own functions inclusive of their callees.
//
// A time window can be given so that one profile of a whole run is summarised per measurement:
// V8 stamps samples with the monotonic clock, the same clock as process.hrtime() in the benchmark
// process (Linux CLOCK_MONOTONIC), so windows taken there select the server's samples exactly.
//
// Used by `BENCH_PROFILE=1 npm run bench`, or on its own (whole profile, no window):
//
//   node bench/lib/profile.mjs <dir-or-file.cpuprofile> [top=30]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Microseconds on the monotonic clock that V8's profiler uses. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Where a call frame's code lives, coarse enough to point at the one to look into. */
function area(cf) {
  const { url, functionName } = cf;
  if (!url) return functionName.startsWith('(') ? functionName : '(V8 builtins / native, e.g. syscalls)';
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf('/packages/server/dist/');
  if (dist >= 0)
    return `gatehouse ${url
      .slice(dist + '/packages/server/dist/'.length)
      .split('/')[0]
      .replace(/\.js$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

function where(cf) {
  const { url } = cf;
  if (!url) return '';
  if (url.startsWith('wasm://')) return 'wasm';
  const nm = url.lastIndexOf('/node_modules/');
  const dist = url.indexOf('/packages/server/dist/');
  const file =
    nm >= 0 ? url.slice(nm + '/node_modules/'.length) : dist >= 0 ? `dist/${url.slice(dist + '/packages/server/dist/'.length)}` : url.replace(/^file:\/\//, '');
  return `${file}:${cf.lineNumber + 1}`;
}

const isOurs = (cf) => cf.url.includes('/packages/server/dist/');
const keyOf = (cf) => `${cf.functionName || '(anonymous)'}\t${where(cf)}`;

export function loadProfiles(files) {
  return files.map((file) => {
    const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
    const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    return { prof, nodes, parent };
  });
}

/**
 * Self time (µs) per function and per area, inclusive time per Gatehouse function.
 * @param {{fromUs:number,toUs:number}} [window] only samples taken in this monotonic-clock window
 */
export function summarise(profiles, window) {
  const byFn = new Map();
  const byArea = new Map();
  const ownInclusive = new Map();
  const add = (m, k, us) => m.set(k, (m.get(k) ?? 0) + us);
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const { prof, nodes, parent } of profiles) {
    let t = prof.startTime;
    for (let i = 0; i < prof.samples.length; i++) {
      // timeDeltas[i] leads up to sample i; the time sample i stands for is the next delta.
      t += prof.timeDeltas[i];
      if (window && (t < window.fromUs || t > window.toUs)) continue;
      const us = prof.timeDeltas[i + 1] ?? 0;
      const { callFrame: cf } = nodes.get(prof.samples[i]);
      total += us;
      if (cf.functionName === '(idle)') {
        idle += us;
        continue;
      }
      if (cf.functionName === '(garbage collector)') gc += us;
      add(byFn, keyOf(cf), us);
      add(byArea, area(cf), us);
      // Each Gatehouse function on this sample's stack, once even when recursive. An async
      // function's stack starts at its last resumption, so this is a lower bound for code that awaits.
      const seen = new Set();
      for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
        const f = nodes.get(id).callFrame;
        if (!isOurs(f) || seen.has(keyOf(f))) continue;
        seen.add(keyOf(f));
        add(ownInclusive, keyOf(f), us);
      }
    }
  }
  const sorted = (m) => [...m.entries()].sort((x, y) => y[1] - x[1]);
  return { total, idle, gc, busy: total - idle, functions: sorted(byFn), areas: sorted(byArea), ownInclusive: sorted(ownInclusive) };
}

/** @param {number} [requests] requests served in the window, to show CPU time per request */
export function formatSummary(s, { top = 25, requests } = {}) {
  if (s.total === 0) return 'CPU profile: no samples in this window';
  const pct = (us) => `${((100 * us) / s.busy).toFixed(1).padStart(5)} %`;
  const ms = (us) =>
    `${Math.round(us / 1000)
      .toLocaleString('en-US')
      .padStart(7)} ms`;
  const perReq = requests ? `, ${(s.busy / requests).toFixed(1)} µs of server CPU per request` : '';
  const fn = ([key, us]) => {
    const [name, at] = key.split('\t');
    return `  ${pct(us)} ${ms(us)}  ${name}  ${at}`;
  };
  return [
    `${ms(s.total).trim()} sampled; server busy ${((100 * s.busy) / s.total).toFixed(1)} % of it${perReq}; GC ${pct(s.gc).trim()} of busy time`,
    'Self time by area (share of busy time):',
    ...s.areas.slice(0, 12).map(([a, us]) => `  ${pct(us)} ${ms(us)}  ${a}`),
    `Top ${top} functions by self time:`,
    ...s.functions.slice(0, top).map(fn),
    'Gatehouse functions by inclusive time (callees included):',
    ...s.ownInclusive.slice(0, 12).map(fn),
  ].join('\n');
}

/**
 * Stages of a request, each matched anywhere on a sample's stack; a sample counts for the first
 * stage that matches, in this order (signing inside the grant counts as signing, not as the grant;
 * the database's work counts as the database's wherever it was called from).
 */
const STAGES = [
  ['PGlite (WebAssembly and its JS)', (cf) => cf.url.startsWith('wasm://') || cf.url.includes('@electric-sql/pglite')],
  ['other database layer (pg driver, db/)', (cf) => cf.url.includes('/dist/db/') || /\/node_modules\/pg[-/]/.test(cf.url)],
  ['signing (ES256, node:crypto)', (cf) => cf.functionName === 'signCompact'],
  ['secret check (HMAC)', (cf) => cf.url.includes('/dist/crypto/secrets')],
  ['rate limiting', (cf) => cf.url.includes('/dist/http/rate-limiter') || cf.url.includes('/dist/tokens/limits')],
  ['audit rows (building, group commit)', (cf) => cf.url.includes('/dist/audit/') || cf.url.includes('/dist/db/group-commit')],
  ['logging (pino)', (cf) => cf.url.includes('/node_modules/pino')],
  ['metrics (prom-client)', (cf) => cf.url.includes('/node_modules/prom-client') || cf.url.includes('/dist/metrics/')],
  [
    'body parsing (JSON, form)',
    (cf) => /secure-json-parse|@fastify\/formbody|dist\/http\/strict-input/.test(cf.url) || cf.functionName === 'parseTokenRequest',
  ],
  ['grant logic, claims, response', (cf) => cf.url.includes('/dist/tokens/')],
  ['access decision', (cf) => cf.url.includes('/dist/access/') || cf.url.includes('/packages/access/')],
  ['response serialization (fast-json-stringify)', (cf) => cf.url.includes('/node_modules/fast-json-stringify/')],
  ['reference API, cursors', (cf) => cf.url.includes('/dist/reference-api/') || cf.url.includes('/dist/http/cursor')],
  ['Fastify (routing, hooks, reply)', (cf) => /\/node_modules\/(fastify|find-my-way|avvio|fast-json-stringify|@fastify)\//.test(cf.url)],
  ["Gatehouse's http/ hooks", (cf) => cf.url.includes('/dist/http/')],
  ['Node HTTP, sockets, syscalls', (cf) => cf.url.startsWith('node:') || !cf.url],
];

const DATABASE_STAGES = new Set(['PGlite (WebAssembly and its JS)', 'other database layer (pg driver, db/)']);
const SYSCALLS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'onStreamRead', 'shutdown', 'close', 'fstat']);

/** Busy time per stage (µs), for "where does a grant's time go". */
export function stages(profiles, window) {
  const sums = new Map();
  let busy = 0;
  for (const { prof, nodes, parent } of profiles) {
    let t = prof.startTime;
    for (let i = 0; i < prof.samples.length; i++) {
      t += prof.timeDeltas[i];
      if (window && (t < window.fromUs || t > window.toUs)) continue;
      const us = prof.timeDeltas[i + 1] ?? 0;
      const leaf = nodes.get(prof.samples[i]).callFrame;
      if (leaf.functionName === '(idle)') continue;
      busy += us;
      const stack = [];
      for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) stack.push(nodes.get(id).callFrame);
      // The kernel's share of answering is its own stage (a socket write under Fastify's reply is not
      // Fastify's cost), but a database's file or socket I/O stays the database's.
      const matched = STAGES.find(([, matches]) => stack.some(matches))?.[0] ?? 'other';
      const stage =
        leaf.functionName === '(garbage collector)'
          ? 'garbage collection'
          : SYSCALLS.has(leaf.functionName) && !leaf.url && !DATABASE_STAGES.has(matched)
            ? 'HTTP socket writes and reads (syscalls)'
            : matched;
      sums.set(stage, (sums.get(stage) ?? 0) + us);
    }
  }
  return { busy, stages: [...sums.entries()].sort((a, b) => b[1] - a[1]) };
}

export function formatStages({ busy, stages: rows }, requests) {
  return [
    `Where the server's busy time went, by stage${requests ? ' (µs per request)' : ''}:`,
    ...rows.map(
      ([name, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${requests ? `${(us / requests).toFixed(1).padStart(6)} µs  ` : ''}${name}`,
    ),
  ].join('\n');
}

export function profileFiles(dirOrFile) {
  if (fs.statSync(dirOrFile).isFile()) return [dirOrFile];
  return fs
    .readdirSync(dirOrFile)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dirOrFile, f));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [target, top] = process.argv.slice(2);
  if (!target) {
    console.error('usage: node bench/lib/profile.mjs <dir-or-file.cpuprofile> [top]');
    process.exit(2);
  }
  const profiles = loadProfiles(profileFiles(target));
  console.log(formatSummary(summarise(profiles), { top: Number(top ?? 30) }));
  console.log(formatStages(stages(profiles)));
}
