import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/listening.js';

/**
 * Real gateways in front of a tiny upstream (§13 [F3]): the README's configurations, read from
 * `gateway-configs/` verbatim, with their example ports replaced by free loopback ports.
 */
export const GATEWAY_BINARIES = { nginx: '/usr/sbin/nginx', caddy: '/usr/bin/caddy' } as const;
export type GatewayName = keyof typeof GATEWAY_BINARIES;

export const gatewayConfig = (name: GatewayName): string =>
  readFileSync(fileURLToPath(new URL(`./gateway-configs/${name === 'nginx' ? 'nginx.conf' : 'Caddyfile'}`, import.meta.url)), 'utf8');

/** Whether this gateway can run here; CI (GATEHOUSE_REQUIRE_GATEWAYS=1) never skips. */
export function gatewayAvailable(name: GatewayName): boolean {
  if (existsSync(GATEWAY_BINARIES[name])) return true;
  if (process.env.GATEHOUSE_REQUIRE_GATEWAYS === '1') throw new Error(`${GATEWAY_BINARIES[name]} is missing and GATEHOUSE_REQUIRE_GATEWAYS=1`);
  console.warn(
    `[gatehouse] SKIPPING the ${name} forward-authentication tests: ${GATEWAY_BINARIES[name]} is not installed (apt-get install ${name === 'nginx' ? 'nginx-light' : 'caddy'})`,
  );
  return false;
}

/** What the upstream saw: it answers every request with its method, URL and headers as JSON. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export async function startUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Resolves once `port` accepts a connection; rejects after `ms` (a gateway that failed to start). */
async function waitForPort(port: number, ms: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() && true));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the gateway did not listen on ${port} within ${ms} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Gateway {
  url: string;
  stop(): Promise<void>;
}

/** Starts `name` with the README configuration in `dir`, pointed at Gatehouse and the upstream. */
export async function startGateway(name: GatewayName, dir: string, gatehousePort: number, upstreamPort: number): Promise<Gateway> {
  const port = await freePort();
  const config = gatewayConfig(name)
    .replaceAll('127.0.0.1:8000', `127.0.0.1:${port}`)
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${gatehousePort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${upstreamPort}`);
  let child: ChildProcess;
  if (name === 'nginx') {
    // One foreground process, everything it writes inside `dir`, errors on stderr.
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
    writeFileSync(
      `${dir}/nginx.conf`,
      `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 64; }\nhttp {\n access_log off;\n ${temp}\n${config}\n}\n`,
    );
    child = spawn(GATEWAY_BINARIES.nginx, ['-p', dir, '-e', 'stderr', '-c', `${dir}/nginx.conf`], { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    writeFileSync(`${dir}/Caddyfile`, `{\n\tadmin off\n}\n\n${config}`);
    child = spawn(GATEWAY_BINARIES.caddy, ['run', '--config', `${dir}/Caddyfile`, '--adapter', 'caddyfile'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: `${dir}/data`, XDG_CONFIG_HOME: `${dir}/config` },
    });
  }
  let output = '';
  const collect = (d: Buffer): void => {
    output = (output + String(d)).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitForPort(port, 15_000, child, () => output.slice(-2000));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
