import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';

export interface Received {
  headers: Record<string, string>;
  body: string;
  /** The sender's port: the same port twice means one connection carried both. */
  remotePort: number;
}

/**
 * A webhook receiver on loopback (plain http: allowed only because 127.0.0.1 is in
 * GATEHOUSE_WEBHOOK_ALLOWED_HOSTS). `statuses` answers the next requests in order, then 204.
 */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  statuses: number[];
  connections(): Promise<number>;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8'), remotePort: req.socket.remotePort ?? 0 });
      const status = statuses.shift() ?? 204;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `failure ${'x'.repeat(600)}` : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    statuses,
    /** Connections open to the receiver now. */
    connections: () => new Promise<number>((r) => server.getConnections((_e, n) => r(n))),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * Verifies a delivery with the standardwebhooks package, at the time the server's injected clock
 * signed it (the package refuses timestamps 5 minutes away from its own Date.now()).
 */
export function verify(secret: string, r: Received, at: Date): { type: string; data: Record<string, unknown> } {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(at);
    return new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> };
  } finally {
    vi.useRealTimers();
  }
}

/** [E4] The events of verified audit-stream messages, in the order received (each message a batch). */
export function streamEvents(secret: string, received: readonly Received[], at: Date): Array<{ type: string; data: Record<string, unknown> }> {
  return received.flatMap((r) => {
    const msg = verify(secret, r, at);
    if (msg.type !== 'audit.events') throw new Error(`not an audit-stream batch: ${msg.type}`);
    return (msg.data as { events: Array<{ type: string; data: Record<string, unknown> }> }).events;
  });
}
