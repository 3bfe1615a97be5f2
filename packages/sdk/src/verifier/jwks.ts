import crypto from 'node:crypto';

export interface KeySetOptions {
  /** Refetch at most this often when a token names an unknown `kid` (default 30 s). */
  cooldownMs?: number;
  /** Refetch in the background when the keys are older than this (default 5 min). */
  maxAgeMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  monotonicMs?: () => number;
}

/**
 * The issuer's signing keys (RFC 7517 JWKS), fetched once, looked up synchronously by `kid`, and
 * refetched when a token names a key not seen yet (Gatehouse publishes a new key well before it
 * signs with it) — at most once per cooldown, so a flood of made-up `kid`s costs one request.
 * Only ES256 keys (EC P-256) are kept.
 */
export class KeySet {
  private keys = new Map<string, crypto.KeyObject>();
  private fetchedAt = -Infinity;
  private inflight: Promise<void> | null = null;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(
    private readonly uri: string,
    options: KeySetOptions = {},
  ) {
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.maxAgeMs = options.maxAgeMs ?? 300_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.monotonicMs ?? (() => performance.now());
  }

  /** A key already known (and a background refresh when the set is old). */
  get(kid: string): crypto.KeyObject | undefined {
    if (this.now() - this.fetchedAt > this.maxAgeMs && !this.inflight) void this.refresh().catch(() => {});
    return this.keys.get(kid);
  }

  /** A key, fetching the set again if `kid` is unknown and the cooldown has passed. */
  async resolve(kid: string): Promise<crypto.KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.inflight) await this.inflight.catch(() => {});
    else if (this.now() - this.fetchedAt >= this.cooldownMs) await this.refresh().catch(() => {});
    return this.keys.get(kid);
  }

  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    // Counted from the attempt, so a failing endpoint is not hammered either.
    this.fetchedAt = this.now();
    const res = await this.fetchImpl(this.uri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    if (!res.ok) throw new Error(`JWKS answered HTTP ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys array');
    const keys = new Map<string, crypto.KeyObject>();
    for (const jwk of body.keys as Array<Record<string, unknown>>) {
      if (typeof jwk?.kid !== 'string' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
      if (jwk.alg !== undefined && jwk.alg !== 'ES256') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        keys.set(jwk.kid, crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as crypto.JsonWebKey, format: 'jwk' }));
      } catch {
        // A malformed key is skipped, not fatal.
      }
    }
    this.keys = keys; // retired keys disappear with the set that no longer lists them
  }
}
