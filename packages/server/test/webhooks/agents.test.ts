import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationAgents } from '../../src/webhooks/agents.js';
import { send, type Resolved } from '../../src/webhooks/destination.js';

/**
 * [E5] Keep-alive never weakens address pinning: a kept connection is reused only for the address
 * it was opened to. When the destination's name resolves elsewhere, the next message goes out on a
 * new connection to the newly checked address, and the old connections are closed.
 */
describe('keep-alive connections per checked address', () => {
  let server: http.Server;
  let port: number;
  const peers: Array<{ local: string; remotePort: number }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      peers.push({ local: req.socket.localAddress ?? '', remotePort: req.socket.remotePort ?? 0 });
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // One name, two checked addresses (both this machine: 127.0.0.1 and 127.0.0.2).
  const dest = (address: string): Resolved => ({ url: new URL(`http://siem.example:${port}/in`), address, family: 4 });

  it('reuses a connection to the same checked address, and opens a new one when the address changes', async () => {
    const agents = new DestinationAgents();
    const post = (d: Resolved) => send(d, {}, '{}', () => performance.now(), agents.agentFor('ast_1', d));
    expect((await post(dest('127.0.0.1'))).status).toBe(204);
    expect((await post(dest('127.0.0.1'))).status).toBe(204);
    expect((await post(dest('127.0.0.2'))).status).toBe(204);
    expect(peers.map((p) => p.local)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.2']);
    expect(peers[1]!.remotePort).toBe(peers[0]!.remotePort); // kept alive
    expect(peers[2]!.remotePort).not.toBe(peers[0]!.remotePort); // not the old connection
    expect(agents.size).toBe(1); // the old address's pool was closed
    agents.closeAll();
    expect(agents.size).toBe(0);
  });
});
