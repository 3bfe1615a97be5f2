import type { Clock } from '../clock.js';
import type { RateLimit } from '../config.js';
import { RateLimited } from '../errors.js';

/**
 * A token bucket per key, in memory. Hand-written rather than @fastify/rate-limit because the
 * keys (a client id read from the body or Basic header, an email) are known only inside the
 * handler, and the clock must be the injected one. Buckets idle long enough to be full are dropped.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(private readonly limit: RateLimit, private readonly clock: Clock) {}

  /** Takes one token for `key`, or throws RateLimited with the seconds until one is back. */
  take(key: string): void {
    const now = this.clock.now().getTime();
    this.sweep(now);
    const { burst, perSecond } = this.limit;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      throw new RateLimited(perSecond > 0 ? (1 - b.tokens) / perSecond : 60);
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const fullAfterMs = this.limit.perSecond > 0 ? (this.limit.burst / this.limit.perSecond) * 1000 : Infinity;
    for (const [key, b] of this.buckets) if (now - b.at > fullAfterMs) this.buckets.delete(key);
  }
}
