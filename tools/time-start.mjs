// How long a start takes until it serves [R4]: runs a command (default `npm start`) against a data
// directory and prints the milliseconds from spawn until GET /healthz answers 200, then stops it.
// Run it twice on the same directory to time a second start (the first one also creates the database):
//   node tools/time-start.mjs --data-dir /tmp/gh-start --runs 5 [-- node packages/server/dist/main.js]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { 'data-dir': { type: 'string' }, runs: { type: 'string', default: '1' } },
  allowPositionals: true,
});
if (!values['data-dir']) throw new Error('--data-dir is required');
const command = positionals.length > 0 ? positionals : ['npm', 'start'];

const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

// The server refuses unknown GATEHOUSE_* settings: only the ones this script chooses.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));

async function once() {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    detached: true, // its own process group: npm's children stop with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      PORT: String(port),
      GATEHOUSE_DATA_DIR: values['data-dir'],
      GATEHOUSE_ADMIN_EMAIL: 'owner@example.org',
      GATEHOUSE_ADMIN_PASSWORD: 'violet kettle marching north',
      GATEHOUSE_LOG_LEVEL: 'warn',
    },
  });
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res?.status === 200) return Math.round(performance.now() - started);
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
      if (performance.now() - started > 180_000) throw new Error(`no /healthz after 180 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

const times = [];
for (let i = 0; i < Number(values.runs); i++) {
  times.push(await once());
  console.log(`run ${i + 1}: /healthz 200 after ${times.at(-1)} ms`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (${command.join(' ')})`);
