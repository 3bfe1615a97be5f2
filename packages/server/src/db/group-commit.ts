interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: concurrent callers share one write. Each `submit` waits for the batch that
 * carries its item to commit, so nothing is acknowledged before it is durable. While one batch
 * commits the next one gathers, so batches grow with load and add no latency when idle.
 */
export class GroupCommit<T, R = void> {
  private queue: Pending<T, R>[] = [];
  private flushing: Promise<void> | null = null;

  /** `write` commits a batch and returns one result per item, in order. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 1000,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Resolves when everything submitted so far is committed (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Yield once so that requests arriving in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, i) => {
          p.resolve(results[i] as R);
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = null;
  }
}
