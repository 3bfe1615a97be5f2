import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that a test can break in the ways networks break:
 * - `cut()` resets every open connection and refuses new ones, as a database host going away does;
 * - `silence()` stops forwarding on every open connection without closing either side (no FIN,
 *   no RST: a black hole), as after a failover or a NAT table loss. New connections are forwarded
 *   (`{ newConnections: 'forward' }`, the failover case) or black-holed too (`'hang'`);
 * - `restore()` forwards new connections again; silenced ones stay silent, as they do for real.
 * The server under test sees real socket behaviour, not a mocked driver.
 */
export async function dbProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let mode: 'forward' | 'refuse' | 'hang' = 'forward';
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  /** Swallows whatever arrives and answers nothing, keeping the socket open. */
  const blackHole = (s: net.Socket) => {
    s.removeAllListeners('data');
    s.on('data', () => {});
    s.resume();
  };
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    track(client);
    client.on('error', () => client.destroy());
    if (mode === 'hang') {
      blackHole(client);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    for (const s of pair) {
      s.on('close', () => pairs.delete(pair));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    cut() {
      mode = 'refuse';
      for (const s of sockets) s.resetAndDestroy();
    },
    silence(options: { newConnections: 'forward' | 'hang' }) {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        blackHole(client);
        blackHole(upstream);
      }
      pairs.clear();
      mode = options.newConnections;
    },
    restore() {
      mode = 'forward';
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
