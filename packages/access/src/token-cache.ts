import type { AccessTokenClaims } from './claims.js';
import { invalidToken } from './denial.js';
import type { DecisionMemo } from './decide.js';

/** A verified token, and the memo of the last decision made for it (see decide()). */
export interface VerifiedToken extends DecisionMemo {
  readonly token: string;
  readonly claims: AccessTokenClaims;
}

/**
 * Verified tokens, kept until they expire so that a repeated call costs a map lookup instead of an
 * ECDSA verify. Keyed by the signature (the last part: hashing a short key is what a lookup costs),
 * holding the whole token to compare against, so only the identical string hits. Bounded: when
 * full, expired entries go first, then the oldest half.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly limit = 50_000) {}

  /** The entry for exactly this token; undefined when not cached; 401 when it has expired since. */
  get(token: string, nowSeconds: number): VerifiedToken | undefined {
    const key = token.slice(token.lastIndexOf('.') + 1);
    const cached = this.entries.get(key);
    if (!cached || cached.token !== token) return undefined;
    if (cached.claims.exp > nowSeconds) return cached;
    this.entries.delete(key);
    throw invalidToken('the access token has expired');
  }

  add(token: string, claims: AccessTokenClaims, nowSeconds: number): VerifiedToken {
    if (this.entries.size >= this.limit) this.evict(nowSeconds);
    const entry: VerifiedToken = { token, claims, decidedFrom: undefined, roleTable: undefined, principal: undefined };
    this.entries.set(token.slice(token.lastIndexOf('.') + 1), entry);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(nowSeconds: number): void {
    for (const [k, v] of this.entries) if (v.claims.exp <= nowSeconds) this.entries.delete(k);
    // Still full of live tokens: drop the oldest half rather than grow without bound.
    if (this.entries.size >= this.limit) {
      let n = Math.ceil(this.limit / 2);
      for (const k of this.entries.keys()) {
        if (n-- <= 0) break;
        this.entries.delete(k);
      }
    }
  }
}
