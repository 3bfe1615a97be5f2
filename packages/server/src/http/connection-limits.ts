import type http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { HttpLimits } from '../config.js';

/**
 * Fastify/Node options that bound how long a client may take to send a request (slowloris).
 * Measured on Node 20, not assumed:
 * - Fastify's `requestTimeout` defaults to 0, which switches Node's off: a body sent one byte at a
 *   time was never cut. It must be set.
 * - `headersTimeout`/`requestTimeout` are enforced by a sweep every `connectionsCheckingInterval`
 *   (default 30 s), so a 10 s limit really meant up to 40 s; the sweep runs at a fraction of it.
 * - Both count from the first byte (a connection that sends nothing is cut by `headersTimeout`)
 *   and stop once the request has arrived: a long response such as the state feed's event stream
 *   is not cut (RFC 9110 §15.5.9: 408 is about receiving the request).
 * No socket inactivity timeout (`connectionTimeout`) is set: it would count a stream's quiet
 * heartbeat gaps, and the three limits above already bound every phase of receiving a request.
 */
export function serverTimeouts(
  limits: HttpLimits,
): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout'> & { http: http.ServerOptions } {
  const sweepMs = Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: 0,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: sweepMs,
    },
  };
}

const BUSY_BODY = JSON.stringify({ error: 'temporarily_unavailable', error_description: 'too many connections from this address; retry shortly' });
const BUSY_RESPONSE = [
  'HTTP/1.1 503 Service Unavailable',
  'Content-Type: application/json; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(BUSY_BODY)}`,
  'Cache-Control: no-store',
  'Retry-After: 1',
  'Connection: close',
  '',
  BUSY_BODY,
].join('\r\n');

/**
 * Connection caps, so that one client holding many sockets open cannot starve the others: a
 * total (`server.maxConnections`: Node drops the excess before any JavaScript runs) and a cap per
 * peer address, whose excess gets a 503 and is closed.
 */
export function capConnections(server: http.Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerAddress <= 0) return;
  const open = new Map<string, number>();
  // Prepended, so that a refused socket is closed before Node's HTTP parser is attached to it:
  // nothing it sends is ever parsed or handled.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerAddress) {
      // Never counted: a refused socket must not lengthen its address's queue. The answer goes
      // out in one write to the kernel; the socket is closed at once, not left to its peer.
      socket.write(BUSY_RESPONSE);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
