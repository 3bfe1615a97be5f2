import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can delay, in order, what the database sends on the
 * connections that issued a LISTEN (`setDelay`): the change feed's NOTIFYs arrive late, as over a
 * congested link, while queries stay fast. workers.test.ts uses it with the feed's poll slowed down,
 * so that only the workers' own relay can explain a sibling refusing a change at the next call.
 */
export async function slowProxy(target: { host: string; port: number }) {
  let delayMs = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    let listens = false;
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes('LISTEN')) listens = true;
    });
    client.pipe(upstream);
    // Each chunk leaves `delayMs` after it arrived; a chain of promises keeps the order.
    let chain = Promise.resolve();
    upstream.on('data', (chunk) => {
      const due = Date.now() + (listens ? delayMs : 0);
      chain = chain
        .then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, due - Date.now()))))
        .then(() => {
          if (!client.destroyed) client.write(chunk);
        });
    });
    upstream.on('end', () => void chain.then(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    setDelay(ms: number) {
      delayMs = ms;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
