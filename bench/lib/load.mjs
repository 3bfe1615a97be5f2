// Drives one scenario with autocannon (in this process) and reduces its result to the few
// figures the report needs. A run with any non-2xx response, socket error or timeout fails:
// a rate of errors says nothing about the server's speed.
import fs from 'node:fs';
import autocannon from 'autocannon';
import { monotonicUs } from './profile.mjs';

/**
 * The machine's CPU time so far from /proc/stat (Linux; null elsewhere): all of it, and the part
 * idle or waiting for I/O. A window in which the server, the load generator and the kernel left
 * part of the machine idle was bound by latency (threads waiting on one another), not by CPU.
 */
function machineTicks() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { all: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4] };
  } catch {
    return null;
  }
}

/** The autocannon run in progress, so that SIGINT can stop it. */
let current = null;
export const stopLoad = () => current?.stop();

function run(opts, seconds) {
  return new Promise((resolve, reject) => {
    current = autocannon({ ...opts, duration: seconds }, (err, res) => {
      current = null;
      if (err) reject(err);
      else resolve(res);
    });
  });
}

/**
 * Warm-up (JIT, connection set-up, caches; thrown away), then the measurement.
 * @param {{label:string, request:object}} scenario  request: autocannon options (url, method, headers, body)
 */
export async function measure(scenario, { seconds, warmupSeconds, connections, serverCpuSeconds = () => null }) {
  const opts = { connections, pipelining: 1, timeout: 10, ...scenario.request };
  if (warmupSeconds > 0) await check(scenario, await run(opts, warmupSeconds), 'warm-up');
  // The measured window, on the clock the server's CPU profile is stamped with (BENCH_PROFILE).
  const fromUs = monotonicUs();
  const cpu0 = { server: serverCpuSeconds(), bench: process.cpuUsage(), machine: machineTicks() };
  const r = await run(opts, seconds);
  const window = { fromUs, toUs: monotonicUs() };
  const wall = (window.toUs - fromUs) / 1e6;
  const serverCpu = cpu0.server === null ? null : serverCpuSeconds() - cpu0.server;
  const { user, system } = process.cpuUsage(cpu0.bench);
  const machine = machineTicks();
  await check(scenario, r, 'measurement');
  return {
    label: scenario.label,
    connections: opts.connections,
    seconds,
    requests: r.requests.total,
    rps: r.requests.average,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    // Share of one core each side used: ~100 % on the server means it was the bottleneck; on a
    // small machine the load generator (this process) can be the limit instead, for cheap routes.
    serverCpuPercent: serverCpu === null ? null : (100 * serverCpu) / wall,
    serverCpuUsPerRequest: serverCpu === null ? null : (serverCpu * 1e6) / r.requests.total,
    benchCpuPercent: ((user + system) / 1e6 / wall) * 100,
    // Of all cores together (100 % = every core idle the whole window).
    machineIdlePercent: machine && cpu0.machine ? (100 * (machine.idle - cpu0.machine.idle)) / (machine.all - cpu0.machine.all) : null,
    window,
  };
}

async function check(scenario, r, phase) {
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad === 0 && r.requests.total > 0) return;
  const codes = Object.entries(r.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}×${count}`)
    .join(', ');
  // autocannon does not keep response bodies; replay the request once to show what the server says.
  const sample = await replay(scenario.request);
  throw new Error(
    `${scenario.label} (${phase}): ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts out of ${r.requests.total} requests` +
      ` [status codes: ${codes || 'none'}]\n  the same request, replayed once after the run, answers: ${sample}`,
  );
}

async function replay({ url, method = 'GET', headers, body }) {
  try {
    const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(5000) });
    // A success body may hold a fresh access token: the status says enough then.
    return res.ok ? `${res.status} (it succeeds now)` : `${res.status} ${(await res.text()).slice(0, 500)}`;
  } catch (err) {
    return `(no answer: ${err.message})`;
  }
}
