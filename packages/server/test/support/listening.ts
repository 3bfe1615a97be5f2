import net from 'node:net';
import { ManualClock } from '../../src/clock.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A harness listening on a real port, whose issuer is its own URL, with a clock that starts at
 * the real time (clients we did not write check `exp` against their own clock).
 */
export async function startListening(env: Record<string, string> = {}, options: Pick<HarnessOptions, 'catalogue'> = {}): Promise<Harness & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const h = await startHarness({ ...options, clock: new ManualClock(new Date()), env: { GATEHOUSE_ISSUER: url, ...env } });
  await h.gh.app.listen({ port, host: '127.0.0.1' });
  return Object.assign(h, { url });
}
