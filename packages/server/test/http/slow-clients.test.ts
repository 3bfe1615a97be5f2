import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeed } from '../state-feed/sse-client.js';
import { startListening } from '../support/listening.js';
import type { Harness } from '../support/harness.js';

/**
 * Hardening item 5: slow clients cannot exhaust the server. Real sockets on loopback, with small
 * timeouts so that each case takes a second or two; every client is bounded in count and time.
 * All of 127/8 is loopback on Linux: distinct source addresses stand for distinct clients.
 */

interface SlowClient {
  /** Resolves when the server closes the connection: after how long, and what it had answered. */
  closed: Promise<{ ms: number; received: string }>;
  stop(): void;
}

/** Opens a connection that sends `head` and then one byte of `drip` every `everyMs` (slowloris). */
function slowClient(port: number, localAddress: string, head: string, drip = '', everyMs = 100): SlowClient {
  const started = performance.now();
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    if (head) socket.write(head);
    if (drip)
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write(drip);
      }, everyMs);
  });
  socket.on('data', (d) => {
    received += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<{ ms: number; received: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, received });
    });
  });
  return {
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** One GET on a fresh connection from `localAddress`; the status, or the socket error's code. */
function get(port: number, localAddress: string, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

const CREDENTIAL = 'ghrs_slow-clients-credential-0123456789abcdef';

describe('slow clients: request timeouts', () => {
  let h: Harness & { url: string };
  let port: number;
  beforeAll(async () => {
    h = await startListening({
      GATEHOUSE_HEADERS_TIMEOUT_MS: '500',
      GATEHOUSE_REQUEST_TIMEOUT_MS: '1000',
      GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '500',
      GATEHOUSE_RESOURCE_SERVER_TOKENS: `orders-api:${CREDENTIAL}`,
    });
    port = Number(new URL(h.url).port);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('closes 40 connections trickling headers or a body one byte at a time within the bound, while others are served', async () => {
    const attack = [
      ...Array.from({ length: 20 }, () => slowClient(port, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a')),
      ...Array.from({ length: 20 }, () =>
        slowClient(port, '127.0.0.1', 'POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{', ' '),
      ),
    ];
    try {
      // During the attack, another client is served at once.
      await new Promise((r) => setTimeout(r, 200));
      expect(await get(port, '127.0.0.2', '/healthz')).toBe(200);
      const results = await within(Promise.all(attack.map((c) => c.closed)), 6000);
      for (const [i, r] of results.entries()) {
        // 408 from the server itself, not a reset; headers cut after ~0.5 s, bodies after ~1 s
        // (plus one sweep of the checking interval, a quarter of the headers timeout; the upper
        // bounds leave room for a loaded test machine, and are still minutes below the old state).
        expect(r.received).toMatch(/^HTTP\/1\.1 408 /);
        expect(r.ms).toBeGreaterThan(i < 20 ? 400 : 900);
        expect(r.ms).toBeLessThan(i < 20 ? 2500 : 3000);
      }
    } finally {
      for (const c of attack) c.stop();
    }
  });

  it('closes a connection that never sends a byte, and an idle keep-alive connection', async () => {
    const silent = slowClient(port, '127.0.0.1', '');
    const idle = slowClient(port, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      const [s, i] = await within(Promise.all([silent.closed, idle.closed]), 6000);
      expect(s.ms).toBeLessThan(2500);
      expect(i.received).toMatch(/^HTTP\/1\.1 200 /);
      // Node closes an idle keep-alive socket up to ~1 s after keepAliveTimeout (measured).
      expect(i.ms).toBeLessThan(3500);
    } finally {
      silent.stop();
      idle.stop();
    }
  });

  it('keeps a state-feed event stream open well past every timeout: the timeouts bound receiving a request, not a response', async () => {
    const feed = await openFeed(`${h.url}/api/v1/state-feed?heartbeatMs=200`, { authorization: `Bearer ${CREDENTIAL}` });
    try {
      expect(feed.res.status).toBe(200);
      await feed.next((e) => e.event === 'snapshot');
      // 2.5 s: five times the headers timeout, twice the request timeout, many sweeps.
      await new Promise((r) => setTimeout(r, 2500));
      const count = feed.events.length;
      expect(feed.ended).toBe(false);
      await feed.next((e) => e.event === 'heartbeat', 2000, count);
    } finally {
      feed.close();
    }
  });
});

describe('slow clients: connection caps', () => {
  let h: Harness & { url: string };
  let port: number;
  beforeAll(async () => {
    h = await startListening({ GATEHOUSE_MAX_CONNECTIONS: '12', GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS: '5' });
    port = Number(new URL(h.url).port);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a sixth connection from one address with 503 and closes it; other addresses are served; a freed slot is reusable', async () => {
    const held = Array.from({ length: 5 }, () => slowClient(port, '127.0.0.3', ''));
    try {
      await new Promise((r) => setTimeout(r, 200));
      const sixth = slowClient(port, '127.0.0.3', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const refused = await within(sixth.closed, 2000);
      expect(refused.received).toMatch(/^HTTP\/1\.1 503 /);
      expect(refused.received).toContain('"error":"temporarily_unavailable"');
      expect(await get(port, '127.0.0.4', '/healthz')).toBe(200);

      held[0]!.stop();
      await held[0]!.closed;
      await new Promise((r) => setTimeout(r, 100));
      expect(await get(port, '127.0.0.3', '/healthz')).toBe(200);
    } finally {
      for (const c of held) c.stop();
    }
  });

  it('drops connections beyond the total cap, and serves again once they close', async () => {
    const held = ['127.0.0.5', '127.0.0.6', '127.0.0.7'].flatMap((a) => Array.from({ length: 4 }, () => slowClient(port, a, '')));
    try {
      await new Promise((r) => setTimeout(r, 200));
      const over = await get(port, '127.0.0.8', '/healthz');
      // Dropped by Node before any HTTP is spoken: a socket error, not a status.
      expect(typeof over).toBe('string');
      for (const c of held) c.stop();
      await Promise.all(held.map((c) => c.closed));
      await new Promise((r) => setTimeout(r, 100));
      expect(await get(port, '127.0.0.8', '/healthz')).toBe(200);
    } finally {
      for (const c of held) c.stop();
    }
  });
});
