import type { RateLimit } from '../config.js';
import { RateLimited } from '../errors.js';

/**
 * A token bucket per key, in memory. Hand-written rather than @fastify/rate-limit because the
 * keys (a client id read from the body or Basic header, an email) are known only inside the
 * handler, and some buckets are charged only for failures (see AttemptLimiter). Buckets idle long
 * enough to be full are dropped.
 *
 * Elapsed time is read from a monotonic source, never the wall clock: a wall clock stepped back an
 * hour would otherwise leave every bucket an hour in debt (`Retry-After: 3572`).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly monotonicMs: () => number,
  ) {}

  /** Takes one token for `key`, or throws RateLimited with the seconds until one is back. */
  take(key: string): void {
    const b = this.refill(key);
    if (b.tokens < 1) {
      const { perSecond } = this.limit;
      throw new RateLimited(perSecond > 0 ? (1 - b.tokens) / perSecond : 60);
    }
    b.tokens -= 1;
  }

  /** Gives back a token taken by `take` (the attempt turned out not to count). */
  refund(key: string): void {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(this.limit.burst, b.tokens + 1);
  }

  private refill(key: string): { tokens: number; at: number } {
    const now = this.monotonicMs();
    this.sweep(now);
    const { burst, perSecond } = this.limit;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(key, b);
    return b;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const fullAfterMs = this.limit.perSecond > 0 ? (this.limit.burst / this.limit.perSecond) * 1000 : Infinity;
    for (const [key, b] of this.buckets) if (now - b.at > fullAfterMs) this.buckets.delete(key);
  }
}

/**
 * Limits on failed attempts that an attacker cannot spend for a victim (SPEC §4 429; issue
 * "Hardening" 4). Every attempt takes a token from each of its buckets *before* the secret or
 * password is compared — so a burst of concurrent guesses from one place is throttled too — and
 * the tokens are given back unless the attempt failed authentication. The buckets are keyed by
 * the caller's address and by address + the claimed identity, never by the identity alone: a
 * client id or an email is public, and a bucket keyed by it alone could be emptied from anywhere.
 */
export class AttemptLimiter {
  constructor(private readonly limiters: ReadonlyArray<RateLimiter>) {}

  /** Takes one token per key (keys[i] for limiters[i]; undefined skips a limiter). */
  begin(keys: ReadonlyArray<string | undefined>): Attempt {
    const taken: Array<[RateLimiter, string]> = [];
    try {
      this.limiters.forEach((limiter, i) => {
        const key = keys[i];
        if (key === undefined) return;
        limiter.take(key);
        taken.push([limiter, key]);
      });
    } catch (err) {
      for (const [limiter, key] of taken) limiter.refund(key);
      throw err;
    }
    let settled = false;
    return {
      release: () => {
        if (settled) return;
        settled = true;
        for (const [limiter, key] of taken) limiter.refund(key);
      },
    };
  }
}

export interface Attempt {
  /** The attempt did not fail authentication: its tokens go back. Not calling it charges them. */
  release(): void;
}

/** A bucket key for an address and a claimed identity; an address never contains a newline. */
export const addressAnd = (ip: string, identity: string): string => `${ip}\n${identity}`;
