// Formats the measurements as a plain-text table (aligned for a terminal, also valid Markdown)
// and the comparisons against the targets.

const int = (n) => Math.round(n).toLocaleString('en-US');
const pct = (r) => `${(r * 100).toFixed(1)} %`;

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const right = header.map((_, i) => i > 0); // numbers right-aligned, the label left
  const line = (cells) => `| ${cells.map((c, i) => (right[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * @param {Array<{key:string,label:string,target?:{rps?:number,ratio?:number},result:object}>} rows
 * @param {object|undefined} baseline the /healthz result the ratios are taken against
 */
export function formatResults(rows, baseline) {
  const header = ['measurement', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'server CPU', 'µs CPU/req', 'bench CPU', 'vs /healthz', 'target'];
  const cpu = (p) => (p === null ? 'n/a' : `${Math.round(p)} %`);
  const body = rows.map(({ result: r, target }) => [
    r.label,
    int(r.rps),
    r.latencyMs.p50,
    r.latencyMs.p99,
    r.non2xx,
    cpu(r.serverCpuPercent),
    r.serverCpuUsPerRequest === null ? 'n/a' : r.serverCpuUsPerRequest.toFixed(0),
    cpu(r.benchCpuPercent),
    baseline && r !== baseline ? pct(r.rps / baseline.rps) : '—',
    target?.rps ? `≥ ${int(target.rps)}/s` : target?.ratio ? `≥ ${target.ratio * 100} % of /healthz` : '—',
  ]);
  return table(header, body);
}

/**
 * Every ratio to /healthz and every target, as printable lines and as data for the JSON file.
 * A ratio is taken only against the /healthz measured in the same run on the same server.
 */
export function evaluate(rows, baseline) {
  const targets = [];
  const lines = [];
  const verdict = (met) => (met ? 'met' : 'NOT MET');
  if (baseline) {
    lines.push('Ratios to GET /healthz (same run, same server):');
    for (const { key, ratioName, target, result: r } of rows) {
      if (key === 'healthz') continue;
      const ratio = r.rps / baseline.rps;
      let goal = '';
      if (target?.ratio) {
        const met = ratio >= target.ratio;
        targets.push({ name: `${ratioName} / healthz`, value: ratio, goal: target.ratio, met });
        goal = `target ≥ ${pct(target.ratio)}: ${verdict(met)}`;
      }
      lines.push(`  ${`${ratioName} / healthz`.padEnd(36)} ${pct(ratio).padStart(7)}   ${goal}`);
    }
  }
  const absolute = rows.filter((r) => r.target?.rps);
  if (absolute.length) lines.push('Absolute targets:');
  for (const { ratioName, target, result: r } of absolute) {
    const met = r.rps >= target.rps;
    targets.push({ name: `${ratioName} per second`, value: r.rps, goal: target.rps, met });
    lines.push(`  ${ratioName.padEnd(36)} ${`${int(r.rps)}/s`.padStart(7)}   target ≥ ${int(target.rps)}/s: ${verdict(met)}`);
  }
  return { lines, targets };
}

/**
 * One side's median as one line (bench:peer, bench:list): rate, tail latency, the server's CPU,
 * the load generator's, and the share of the machine left idle where /proc/stat told it.
 */
export function resultLine(r, { unit, rate, labelWidth }) {
  const idle = r.machineIdlePercent === null ? '' : `  machine idle ${Math.round(r.machineIdlePercent)} %`;
  return (
    `${r.label.padEnd(labelWidth)} ${int(r.rps).padStart(7)} ${rate}  p99 ${r.latencyMs.p99} ms  server CPU ${Math.round(r.serverCpuPercent ?? 0)} %` +
    `  ${Math.round(r.serverCpuUsPerRequest ?? 0)} µs/${unit}  load generator CPU ${Math.round(r.benchCpuPercent)} %${idle}`
  );
}

export { int, pct };
