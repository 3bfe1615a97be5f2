import type { Worker } from 'node:cluster';
import client from 'prom-client';
import type { FromPrimary } from './messages.js';

/** A worker that does not answer within this is left out of one scrape rather than failing it. */
const GATHER_TIMEOUT_MS = 2_000;

/**
 * The primary's half of an aggregated `/metrics`: whichever worker is scraped asks the primary,
 * which collects every serving worker's registry and merges them with prom-client's own
 * aggregation (counters and histograms summed; each gauge by its declared aggregator).
 */
export class MetricsGatherer {
  private next = 0;
  private readonly open = new Map<number, { answers: unknown[][]; waiting: number; done: () => void }>();

  constructor(private readonly workers: () => Worker[]) {}

  async gather(): Promise<string> {
    const relay = ++this.next;
    const targets = this.workers().filter((w) => w.isConnected());
    const answers: unknown[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.open.set(relay, { answers, waiting: targets.length, done });
      if (targets.length === 0) done();
      for (const w of targets) w.send({ gh: 'metrics-json', relay } satisfies FromPrimary);
    });
    this.open.delete(relay);
    // prom-client's types declare the JSON form loosely; it is exactly what getMetricsAsJSON returned.
    return client.AggregatorRegistry.aggregate(answers as Parameters<typeof client.AggregatorRegistry.aggregate>[0]).metrics();
  }

  reply(relay: number, metrics: unknown[]): void {
    const entry = this.open.get(relay);
    if (!entry) return;
    entry.answers.push(metrics);
    if (--entry.waiting === 0) entry.done();
  }
}
