import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../src/db/data-dir-lock.js';
import { TEST_DRIVER } from './support/db.js';

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(serverRoot, 'dist/main.js'); // `npm test` builds first (pretest)

interface Server {
  child: ChildProcess;
  port: number;
  dir: string;
  exit: Promise<{ code: number | null; at: number }>;
}
const started: Server[] = [];

/** `node dist/main.js` on a fresh embedded data directory, as a supervisor would run it. */
async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL'));
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...clean,
      PORT: '0',
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_ADMIN_EMAIL: 'owner@example.test',
      GATEHOUSE_ADMIN_PASSWORD: 'correct horse battery staple',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m && out.includes('Gatehouse is ready')) resolve(Number(m[1]));
    });
    void exit.then(({ code }) => reject(new Error(`server exited ${code} before ready: ${out}`)));
  });
  const server = { child, port, dir, exit };
  started.push(server);
  return server;
}

/** A request whose body never finishes arriving: the drain would wait for it (Node's requestTimeout is 5 min). */
async function stuckRequest(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write('POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"grant');
  socket.on('error', () => {});
  await new Promise((r) => setTimeout(r, 200)); // let the server take it in
  return socket;
}

afterAll(() => {
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

// The child runs embedded mode whichever project runs this file: once (PGlite project) is enough.
describe.skipIf(TEST_DRIVER !== 'pglite')('process lifecycle (node dist/main.js)', () => {
  // Three servers boot side by side (a first start on an empty data directory takes a while).
  let servers: { plain: Server; shortDrain: Server; twice: Server };
  beforeAll(async () => {
    const [plain, shortDrain, twice] = await Promise.all([startServer(), startServer({ GATEHOUSE_SHUTDOWN_TIMEOUT_MS: '1000' }), startServer()]);
    servers = { plain: plain!, shortDrain: shortDrain!, twice: twice! };
  }, 120_000);

  it('SIGTERM drains and exits 0 well within the 10 s bound, releasing the data-directory lock', async () => {
    const s = servers.plain;
    const sent = Date.now();
    s.child.kill('SIGTERM');
    const { code, at } = await s.exit;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(10_000);
    (await lockDataDir(s.dir))(); // the lock went with the process
  }, 30_000);

  it('a drain that cannot finish is cut off at GATEHOUSE_SHUTDOWN_TIMEOUT_MS: the process exits anyway, non-zero', async () => {
    const s = servers.shortDrain;
    const socket = await stuckRequest(s.port);
    const sent = Date.now();
    s.child.kill('SIGTERM');
    const { code, at } = await s.exit;
    socket.destroy();
    expect(code).toBe(1);
    expect(at - sent).toBeGreaterThanOrEqual(900);
    expect(at - sent).toBeLessThan(5_000);
  }, 30_000);

  it('a second SIGTERM during the drain exits at once', async () => {
    const s = servers.twice;
    const socket = await stuckRequest(s.port);
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    s.child.kill('SIGTERM');
    const { code, at } = await s.exit;
    socket.destroy();
    expect(code).toBe(130);
    expect(at - sent).toBeLessThan(2_000);
  }, 30_000);
});
