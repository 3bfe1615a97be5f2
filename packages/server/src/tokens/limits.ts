import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { InvalidClient, InvalidGrant } from '../errors.js';
import { addressAnd, AttemptLimiter, RateLimiter, type Attempt } from '../http/rate-limiter.js';

/**
 * The token endpoint's rate limits (§4: 429 with Retry-After), arranged so that an attacker
 * cannot spend a victim's: client ids are public (every token carries one), so nothing keyed by a
 * client id alone is charged before that client has proven itself.
 *
 * - every request, per address: a flood guard;
 * - failed authentications, per address and per address + client id: reserved before the secret
 *   is compared (concurrent guesses are throttled too), given back unless the attempt failed;
 * - per client id: taken only once the client has authenticated (`authenticated`).
 */
export class TokenLimits {
  private readonly perAddress: RateLimiter;
  private readonly perClient: RateLimiter;
  private readonly failures: AttemptLimiter;

  constructor(limits: Config['rateLimits'], clock: Clock) {
    const monotonicMs = () => clock.monotonicMs();
    this.perAddress = new RateLimiter(limits.tokenPerAddress, monotonicMs);
    this.perClient = new RateLimiter(limits.tokenPerClient, monotonicMs);
    this.failures = new AttemptLimiter([
      new RateLimiter(limits.tokenFailedPerAddress, monotonicMs),
      new RateLimiter(limits.tokenFailedPerAddressClient, monotonicMs),
    ]);
  }

  /** Any request to the token or revocation endpoint. */
  request(ip: string): void {
    this.perAddress.take(ip);
  }

  /** An authentication attempt, optionally under a claimed client id; settle it with `settle`. */
  attempt(ip: string, clientId?: string): Attempt {
    // A client id is at most a few dozen characters; a longer claim must not grow the key space.
    return this.failures.begin([ip, clientId === undefined ? undefined : addressAnd(ip, clientId.slice(0, 64))]);
  }

  /** The client proved itself: now, and only now, its own bucket is charged. */
  authenticated(clientId: string): void {
    this.perClient.take(clientId);
  }
}

/** Failed authentication: a wrong or unknown secret (client credentials) or refresh token. */
export const isAuthenticationFailure = (err: unknown): boolean => err instanceof InvalidClient || err instanceof InvalidGrant;

/** Runs `fn` as `attempt`: its reserved failure tokens go back unless `fn` failed authentication. */
export async function settle<T>(attempt: Attempt, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    attempt.release();
    return result;
  } catch (err) {
    if (!isAuthenticationFailure(err)) attempt.release();
    throw err;
  }
}
