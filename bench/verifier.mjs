// The SDK verifier (packages/sdk), measured in this process against a real server's JWKS and state
// feed, beside plain `jose` jwtVerify on the same tokens in the same run:
//
//   cached     verifier.verify() of one repeated token (cache hit + the live principal-state check)
//   uncached   verifier.verify() of tokens it has never seen (parse, ES256 verify, claims, state)
//   jose       jose.jwtVerify() of the same tokens with the same checks (alg, typ, iss, aud, exp)
//
// Targets: a cached check under 2 µs; uncached ≥ 10,000/s per core. "Per core" is per CPU-second
// of this process (jose's WebCrypto verifies on the libuv thread pool, so its wall-clock rate can
// use more than one core; its CPU-second rate is the fair comparison).
//
// Standalone: `npm run bench:verifier` (builds, starts its own server). Inside `npm run bench` it
// runs after the HTTP measurements against the same server (BENCH_ONLY=verifier for it alone).
//
// Environment: BENCH_VERIFIER_SECONDS=3 (each cached/jose-repeated measurement),
// BENCH_VERIFIER_TOKENS=20000 (distinct tokens for the uncached passes), BENCH_ROUNDS=3 (median).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as jose from 'jose';
import { int } from './lib/report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The resource-server credential the bench's server is started with (GATEHOUSE_RESOURCE_SERVER_TOKENS). */
export const VERIFIER_CREDENTIAL = `ghrs_bench_${crypto.randomBytes(24).toString('base64url')}`;
export const verifierServerEnv = () => ({ GATEHOUSE_RESOURCE_SERVER_TOKENS: `bench:${VERIFIER_CREDENTIAL}` });

const num = (name, fallback) => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

async function mintTokens(url, body, count, concurrency = 32) {
  const tokens = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!r.ok) throw new Error(`token grant failed: ${r.status} ${await r.text()}`);
      tokens[i] = (await r.json()).access_token;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

// A loop of awaits on settled promises runs on microtasks alone and would starve the event loop:
// the state feed's heartbeats would go unread and the verifier would (rightly) fail closed. A real
// server turns the event loop between requests; the loops below yield to it between batches.
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `fn` repeatedly for `seconds`; returns ops, wall seconds and CPU seconds of this process. */
async function timed(seconds, fn, batch = 10_000) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ops = 0;
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
    await turn();
  }
  return finish(ops, t0, cpu0);
}

/** Runs `fn` once per item. */
async function overAll(items, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    await fn(items[i]);
    if (i % 1000 === 999) await turn();
  }
  return finish(items.length, t0, cpu0);
}

function finish(ops, t0, cpu0) {
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { ops, wallSeconds: wall, cpuSeconds, perSecond: ops / wall, perCpuSecond: ops / cpuSeconds, usPerOp: (wall * 1e6) / ops };
}

const median = (xs, key) => [...xs].sort((a, b) => a[key] - b[key])[Math.floor(xs.length / 2)];

/**
 * @param {{url:string, consoleCall:Function, orgId:string}} server a started bench server (lib/server.mjs)
 *   whose environment included verifierServerEnv()
 */
export async function measureVerifier(server, { rounds = num('BENCH_ROUNDS', 3), log = console.log } = {}) {
  const seconds = num('BENCH_VERIFIER_SECONDS', 3);
  const count = num('BENCH_VERIFIER_TOKENS', 20_000);
  const sdkEntry = path.join(root, 'packages/sdk/dist/index.js');
  const { createVerifier } = await import(pathToFileURL(sdkEntry).href);

  const account = await server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, {
    name: 'bench verifier',
    scopes: ['audit-log:read'],
  });
  const body = JSON.stringify({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret });
  log(`  verifier: minting ${int(count)} distinct tokens for the uncached passes …`);
  const tokens = await mintTokens(server.url, body, count);
  const repeated = tokens[0];

  // jose's side: the same JWKS, imported once, and the same checks the verifier makes.
  const jwks = jose.createLocalJWKSet(await (await fetch(`${server.url}/.well-known/jwks.json`)).json());
  const joseOptions = {
    algorithms: ['ES256'],
    typ: 'at+jwt',
    issuer: server.url,
    audience: server.url,
    requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
  };

  const runs = { cached: [], uncached: [], joseRepeated: [], joseDistinct: [] };
  for (let round = 1; round <= rounds; round++) {
    const prefix = rounds > 1 ? `round ${round}: ` : '';
    const verifier = createVerifier({ issuer: server.url, feedCredential: VERIFIER_CREDENTIAL });
    await verifier.start();
    try {
      process.stdout.write(`  ${prefix}verifier, uncached (${int(count)} distinct tokens) … `);
      const uncached = await overAll(tokens, (t) => verifier.verify(`Bearer ${t}`));
      runs.uncached.push(uncached);
      console.log(`${int(uncached.perSecond)}/s`);

      const auth = `Bearer ${repeated}`;
      await timed(0.3, () => verifier.verify(auth)); // warm-up
      process.stdout.write(`  ${prefix}verifier, cached (one repeated token, ${seconds} s) … `);
      const cached = await timed(seconds, () => verifier.verify(auth));
      runs.cached.push(cached);
      console.log(`${int(cached.perSecond)}/s (${cached.usPerOp.toFixed(3)} µs each)`);
    } finally {
      await verifier.close();
    }

    process.stdout.write(`  ${prefix}jose jwtVerify, distinct tokens … `);
    const joseDistinct = await overAll(tokens, (t) => jose.jwtVerify(t, jwks, joseOptions));
    runs.joseDistinct.push(joseDistinct);
    console.log(`${int(joseDistinct.perSecond)}/s`);
    process.stdout.write(`  ${prefix}jose jwtVerify, one repeated token (${seconds} s) … `);
    const joseRepeated = await timed(seconds, () => jose.jwtVerify(repeated, jwks, joseOptions), 1000);
    runs.joseRepeated.push(joseRepeated);
    console.log(`${int(joseRepeated.perSecond)}/s`);
  }

  const pick = (k) => median(runs[k], 'perSecond');
  const results = { cached: pick('cached'), uncached: pick('uncached'), joseRepeated: pick('joseRepeated'), joseDistinct: pick('joseDistinct') };
  const rows = [
    ['verifier, cached (repeated token)', results.cached],
    ['verifier, uncached (new tokens)', results.uncached],
    ['jose jwtVerify (repeated token)', results.joseRepeated],
    ['jose jwtVerify (new tokens)', results.joseDistinct],
  ];
  const header = ['measurement', 'per second', 'per CPU-second', 'µs each (wall)', 'vs jose, same tokens'];
  const body2 = rows.map(([label, r], i) => [
    label,
    int(r.perSecond),
    int(r.perCpuSecond),
    r.usPerOp.toFixed(3),
    i === 0
      ? `${(r.perSecond / results.joseRepeated.perSecond).toFixed(1)}×`
      : i === 1
        ? `${(r.perCpuSecond / results.joseDistinct.perCpuSecond).toFixed(2)}× per CPU-s`
        : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body2.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ')} |`;
  const table = [line(header), `| ${widths.map((w, i) => (i ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`, ...body2.map(line)].join('\n');

  const targets = [
    { name: 'verifier cached check (µs)', value: results.cached.usPerOp, goal: 2, met: results.cached.usPerOp < 2 },
    { name: 'verifier uncached per CPU-second', value: results.uncached.perCpuSecond, goal: 10_000, met: results.uncached.perCpuSecond >= 10_000 },
  ];
  const lines = [
    'Verifier targets:',
    `  cached check                          ${results.cached.usPerOp.toFixed(3).padStart(7)} µs   target < 2 µs: ${targets[0].met ? 'met' : 'NOT MET'}`,
    `  uncached per core (per CPU-second)    ${int(results.uncached.perCpuSecond).padStart(7)}/s   target ≥ 10,000/s: ${targets[1].met ? 'met' : 'NOT MET'}`,
    `  ratios: cached / jose repeated ${(results.cached.perSecond / results.joseRepeated.perSecond).toFixed(1)}×, ` +
      `uncached / jose new tokens ${(results.uncached.perSecond / results.joseDistinct.perSecond).toFixed(2)}× per wall-second, ` +
      `${(results.uncached.perCpuSecond / results.joseDistinct.perCpuSecond).toFixed(2)}× per CPU-second`,
  ];
  return { table, lines, targets, results, runs, tokens: count, seconds };
}

// Standalone: start a server, measure, stop.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startServer } = await import('./lib/server.mjs');
  console.log(
    `Gatehouse verifier benchmark — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const server = await startServer({
    env: { GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '1000000/1000000', GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '1000000/1000000', ...verifierServerEnv() },
  });
  const stop = () => server.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const r = await measureVerifier(server);
    console.log(`\n${r.table}\n\n${r.lines.join('\n')}`);
  } catch (err) {
    console.error(`\nBENCH ABORTED: ${err.message}`);
    process.exitCode = 1;
  } finally {
    await server.stop();
  }
}
