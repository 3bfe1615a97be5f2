import net from 'node:net';

/**
 * A TCP proxy a test can make go silent: `silence()` keeps every connection open but forwards
 * nothing more in either direction, and holds new connections without answering (a network
 * partition, not a clean close: only heartbeats can tell). `restore()` drops the held connections
 * and forwards again.
 */
export async function silentProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  let silent = false;
  const server = net.createServer((client) => {
    const pair = { client, upstream: null as net.Socket | null };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.on('error', () => client.destroy());
    if (silent) return; // held: never answered
    const upstream = net.connect(Number(target.port), target.hostname);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (d) => {
      if (!silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!silent) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    silence() {
      silent = true;
    },
    restore() {
      silent = false;
      for (const p of pairs) p.client.destroy();
    },
    async close() {
      for (const p of pairs) p.client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
