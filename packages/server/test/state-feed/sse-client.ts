/** A minimal server-sent-events reader for tests: collects events and waits for one that matches. */
export interface FeedEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
  at: number;
}

export async function openFeed(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: FeedEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const pump = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let blank: number;
        for (blank = buffer.indexOf('\n\n'); blank >= 0; blank = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, blank);
          buffer = buffer.slice(blank + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.data === undefined) continue;
          events.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data), at: performance.now() });
          for (const w of waiters) w();
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      for (const w of waiters) w();
    }
  })();
  return {
    res,
    events,
    get ended() {
      return ended;
    },
    /** The first event (from index `from`) matching `pred`, waiting up to `ms`. */
    async next(pred: (e: FeedEvent) => boolean, ms = 3000, from = 0): Promise<FeedEvent> {
      const deadline = performance.now() + ms;
      for (;;) {
        const found = events.slice(from).find(pred);
        if (found) return found;
        if (ended) throw new Error('the feed ended');
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no matching event within ${ms} ms; got ${events.map((e) => e.event).join(',')}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, left);
          function done() {
            clearTimeout(t);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
