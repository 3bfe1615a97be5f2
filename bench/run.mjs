// `npm run bench` (the prebench script builds first): measures the real server, started as a
// child process on embedded PGlite, against its own /healthz taken in the same run, so that the
// machine's speed cancels out of the ratios.
//
//   a. baseline        GET /healthz (Fastify alone: no auth, no database)
//   b. token grants    POST /api/v1/auth/token, client_credentials, JSON client_secret_post
//                      (each request checks the secret, mints and signs a JWT, writes an audit row)
//   c. protected GET   GET /api/v1/audit-events?limit=1 with a bearer token
//                      (the access decision, then one database read)
//   e. refresh grants  POST /api/v1/auth/token, refresh_token (a personal refresh token: checks it,
//                      mints a one-hour user token, records the use and its audit rows at commit)
//   d. protected GET   GET /api/v1/auth/validate with a bearer token (the access decision alone;
//                      shows how much of c. is the decision and how much the database read)
//   g. forward auth    GET /api/v1/auth/forward with X-Forwarded-Method/Uri and a bearer token, 200
//                      routes in the catalogue (§13: route match, then the access decision; no DB)
//   f. verifier        the SDK verifier in this process, cached and uncached, beside jose jwtVerify
//                      (bench/verifier.mjs; targets: cached < 2 µs, uncached ≥ 10,000/s per core)
//
// Targets: ≥ 5,000 token grants/s; ≥ 1,500 refresh grants/s; a protected call and a forward-auth
// decision each ≥ 80 % of /healthz's rate.
//
// Environment:
//   BENCH_SECONDS=10         length of each measurement (after BENCH_WARMUP_SECONDS=2 of warm-up)
//   BENCH_CONNECTIONS=50     concurrent connections per measurement
//   BENCH_ROUNDS=3           measure every scenario this many times; the median round is reported
//   BENCH_ONLY=token,audit   run only these scenarios (healthz, token, token-streamed, refresh, audit, validate, forward, verifier)
//   BENCH_FORWARD_ROUTES=200 routes in the catalogue the forward-auth scenario matches against
//   BENCH_PROFILE=1          run the server under `node --cpu-prof` and print where its time went
//   BENCH_JSON=path          where to write the results as JSON (default: a file in the OS temp dir)
//   BENCH_DATABASE_URL=postgres://...  use a scratch database on that PostgreSQL instead of PGlite
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, stopLoad } from './lib/load.mjs';
import { formatStages, formatSummary, loadProfiles, profileFiles, stages, summarise } from './lib/profile.mjs';
import { evaluate, formatResults, int } from './lib/report.mjs';
import { BENCH_RATE_LIMITS, grantToken, startServer } from './lib/server.mjs';
import { measureVerifier, verifierServerEnv } from './verifier.mjs';

const num = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
};

const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 2);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const PROFILE = process.env.BENCH_PROFILE === '1';
const FORWARD_ROUTES = Math.max(1, num('BENCH_FORWARD_ROUTES', 200));

// One benchmark client from one address would be refused with 429 within its first second under
// the defaults (30/1 per client, 300/50 per address); a measurement of 429s would mean nothing.
// The failed-authentication buckets matter too, though the bench never fails: every token request
// reserves one token from them *before* its secret is compared and gives it back afterwards
// (tokens/limits.ts), so they also cap how many grants one address (30) and one address + client
// (10) may have in flight at once. The token steps keep 100 requests in flight from 127.0.0.1, so
// those two are raised as well, for this run's server only; the server's defaults are unchanged.
const RAISED_LIMITS = BENCH_RATE_LIMITS;

let server = null;

async function main() {
  const profileDir = PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-profile-')) : undefined;
  console.log(
    `Gatehouse benchmark — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), load average ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `Token rate limits raised for this run: ${Object.entries(RAISED_LIMITS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  if (PROFILE) console.log(`BENCH_PROFILE=1: the server runs under --cpu-prof (profiles in ${profileDir}); its figures are lower than usual`);

  // [E4] An audit stream's receiver, on loopback (allowed for the bench only), answering 204.
  const streamReceiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise((r) => streamReceiver.listen(0, '127.0.0.1', r));
  streamReceiver.unref();
  // The server as `npm start` runs it, plus a catalogue of generated routes for forward auth.
  const main = fileURLToPath(new URL('./lib/serve-with-catalogue.mjs', import.meta.url));
  server = await startServer({
    env: { ...RAISED_LIMITS, ...verifierServerEnv(), BENCH_FORWARD_ROUTES: String(FORWARD_ROUTES), GATEHOUSE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    profileDir,
    main,
  });
  console.log(`Server: pid ${server.pid} at ${server.url}, ${server.database}`);
  console.log(
    `Each measurement: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s with ${CONNECTIONS} connections${ROUNDS > 1 ? `, ${ROUNDS} rounds (median reported)` : ''}\n`,
  );

  // Two service accounts: one is hammered at the token endpoint, the other only calls the API, so
  // that the grants' bookkeeping on their account ("last token issued") cannot touch the state the
  // protected calls are decided from.
  const create = (name) => server.consoleCall('POST', `/console/api/orgs/${server.orgId}/service-accounts`, { name, scopes: ['audit-log:read'] });
  const granter = await create('bench token grants');
  const caller = await create('bench protected calls');
  const grantBody = JSON.stringify({ grant_type: 'client_credentials', client_id: granter.clientId, client_secret: granter.clientSecret });
  const callerBody = JSON.stringify({ grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret });
  // [E4] A second organization whose audit log streams to the receiver: its grants also write an
  // outbox row each, and the worker delivers them in the background, off the grant's path.
  const streamed = await server.consoleCall('POST', '/console/api/orgs', { name: 'bench streamed org' });
  await server.consoleCall('POST', `/console/api/orgs/${streamed.id}/audit-streams`, { url: `http://127.0.0.1:${streamReceiver.address().port}/audit` });
  const streamedGranter = await server.consoleCall('POST', `/console/api/orgs/${streamed.id}/service-accounts`, {
    name: 'bench streamed grants',
    scopes: ['audit-log:read'],
  });
  const streamedBody = JSON.stringify({ grant_type: 'client_credentials', client_id: streamedGranter.clientId, client_secret: streamedGranter.clientSecret });
  const { refreshToken } = await server.consoleCall('POST', '/console/api/me/refresh-tokens', { name: 'bench refresh grants' });
  const refreshBody = JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken });
  // Access tokens live 15 minutes; a fresh one per measurement keeps long runs (many rounds) valid.
  const bearer = async () => ({ authorization: `Bearer ${await grantToken(server.url, callerBody)}` });

  const scenarios = [
    { key: 'healthz', label: 'GET /healthz (baseline)', request: async () => ({ url: `${server.url}/healthz` }) },
    {
      // 100 connections: each grant waits for its audit row's group commit, so many integrations at
      // once make bigger batches rather than more work per grant.
      key: 'token',
      label: 'POST /api/v1/auth/token',
      ratioName: 'token grants',
      target: { rps: 5000 },
      connections: 100,
      request: async () => ({ url: `${server.url}/api/v1/auth/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: grantBody }),
    },
    {
      // The same grants in an organization with an audit stream (target: within 10 % of `token`).
      key: 'token-streamed',
      label: 'POST /api/v1/auth/token (audit stream on)',
      ratioName: 'token grants, audit stream on',
      connections: 100,
      request: async () => ({ url: `${server.url}/api/v1/auth/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: streamedBody }),
    },
    {
      // Each use is group-committed (last_used_at moves forward, one audit row per organization).
      key: 'refresh',
      label: 'POST /api/v1/auth/token (refresh_token)',
      ratioName: 'refresh grants',
      target: { rps: 1500 },
      connections: 100,
      request: async () => ({ url: `${server.url}/api/v1/auth/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: refreshBody }),
    },
    {
      // A protected list that also reads the database: on PGlite the query, not the access decision,
      // sets its rate (one PGlite query costs several /healthz requests of CPU).
      key: 'audit',
      label: 'GET /api/v1/audit-events?limit=1',
      ratioName: 'protected + DB read (audit-events)',
      request: async () => ({ url: `${server.url}/api/v1/audit-events?limit=1`, headers: await bearer() }),
    },
    {
      // The protected call the ≥ 80 % target is about: the access decision and nothing else.
      key: 'validate',
      label: 'GET /api/v1/auth/validate (no DB)',
      ratioName: 'protected (validate)',
      target: { ratio: 0.8 },
      request: async () => ({ url: `${server.url}/api/v1/auth/validate`, headers: await bearer() }),
    },
    {
      // §13 a gateway's sub-request: the route match among FORWARD_ROUTES routes (the last one
      // declared, an organization route) and the same access decision; the answer is headers only.
      key: 'forward',
      label: `GET /api/v1/auth/forward (${FORWARD_ROUTES} routes)`,
      ratioName: 'forward-auth decision',
      target: { ratio: 0.8 },
      request: async () => ({
        url: `${server.url}/api/v1/auth/forward`,
        headers: {
          ...(await bearer()),
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': `/orgs/${server.orgId}/svc${(FORWARD_ROUTES - 2) % 10}/res${FORWARD_ROUTES - 2}/item-42?expand=lines`,
        },
      }),
    },
  ].filter((s) => !ONLY || ONLY.has(s.key));
  const runVerifier = !ONLY || ONLY.has('verifier');
  if (scenarios.length === 0 && !runVerifier)
    throw new Error('BENCH_ONLY selects no scenario (healthz, token, token-streamed, refresh, audit, validate, forward, verifier)');

  const runs = new Map(scenarios.map((s) => [s.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of scenarios) {
      process.stdout.write(`  ${ROUNDS > 1 ? `round ${round}: ` : ''}${s.label} … `);
      const result = await measure(
        { label: s.label, request: await s.request() },
        {
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          connections: s.connections ?? CONNECTIONS,
          serverCpuSeconds: server.cpuSeconds,
        },
      );
      runs.get(s.key).push(result);
      console.log(`${int(result.rps)} req/s`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  const rows = scenarios.map((s) => ({ ...s, result: median(runs.get(s.key)) }));
  const baseline = rows.find((r) => r.key === 'healthz')?.result;

  const { lines, targets } = evaluate(rows, baseline);
  if (rows.length) {
    console.log(`\n${formatResults(rows, baseline)}\n`);
    console.log(lines.join('\n'));
    const plain = rows.find((r) => r.key === 'token')?.result;
    const streamedGrants = rows.find((r) => r.key === 'token-streamed')?.result;
    if (plain && streamedGrants) console.log(`token grants with an audit stream / without: ${(streamedGrants.rps / plain.rps).toFixed(2)} (target ≥ 0.90)`);
  }
  let verifier = null;
  if (runVerifier) {
    console.log("\nSDK verifier (in this process, against this server's JWKS and state feed):");
    verifier = await measureVerifier(server, { rounds: ROUNDS });
    console.log(`\n${verifier.table}\n\n${verifier.lines.join('\n')}`);
    targets.push(...verifier.targets);
  }

  const json = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    loadAverage: os.loadavg(),
    database: server.database,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    rateLimits: RAISED_LIMITS,
    profiled: PROFILE,
    results: Object.fromEntries(
      rows.map(({ key, result: { window, ...r } }) => [key, { ...r, runs: ROUNDS > 1 ? runs.get(key).map(({ window: _, ...x }) => x) : undefined }]),
    ),
    ratiosToHealthz: baseline ? Object.fromEntries(rows.filter((r) => r.key !== 'healthz').map((r) => [r.key, r.result.rps / baseline.rps])) : null,
    targets,
    verifier: verifier && { tokens: verifier.tokens, seconds: verifier.seconds, results: verifier.results },
  };
  const jsonPath = process.env.BENCH_JSON || path.join(os.tmpdir(), `gatehouse-bench-${json.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nResults as JSON: ${jsonPath}`);

  await server.stop();
  server = null;
  if (profileDir) {
    // The profile is written when the server exits, so it is read only after stop().
    // One profile covers the whole run (start-up included); each measurement's own window is cut out.
    const files = profileFiles(profileDir);
    if (files.length === 0) throw new Error(`no CPU profile was written to ${profileDir}`);
    const profiles = loadProfiles(files);
    const sections = rows.map(
      ({ result: r }) =>
        `== ${r.label}: server CPU during the ${r.seconds} s measurement\n${formatSummary(summarise(profiles, r.window), { top: 20, requests: r.requests })}\n${formatStages(stages(profiles, r.window), r.requests)}`,
    );
    const summary = sections.join('\n\n');
    fs.writeFileSync(path.join(profileDir, 'summary.txt'), `${summary}\n`);
    console.log(`\n${summary}\n\nProfile: ${files.join(', ')} (summary.txt beside it; open the profile in Chrome DevTools → Performance)`);
  }
}

// Ctrl-C or a kill: stop the load, stop the server, remove its data directory, then leave.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}: stopping the server and removing its data directory`);
    stopLoad();
    Promise.resolve(server?.stop()).finally(() => process.exit(130));
  });
}

main().catch(async (err) => {
  console.error(`\nBENCH ABORTED: ${err.message}`);
  await server?.stop().catch(() => {});
  process.exit(1);
});
