import crypto from 'node:crypto';
import * as jose from 'jose';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import type { MasterKey } from '../crypto/master-key.js';
import { newId } from '../ids.js';
import { MAX_TOKEN_LIFETIME_SECONDS } from './lifetimes.js';

export const SIGNING_ALG = 'ES256';

/**
 * A new key is published this long before it signs anything: longer than the JWKS response's
 * max-age (60 s) plus the change feed's propagation, so every instance and every resource server
 * that caches the JWKS knows the key before the first token it signs arrives.
 */
export const PUBLISH_AHEAD_SECONDS = 120;

/** The advisory lock that lets one instance at a time rotate (the schedule runs on every instance). */
const ROTATION_LOCK = 7_201_735;

interface KeyRow {
  kid: string;
  public_jwk: jose.JWK;
  private_ciphertext: string;
  created_at: Date;
  activates_at: Date | null;
  retired_at: Date | null;
}

interface LoadedKey {
  kid: string;
  publicJwk: jose.JWK;
  /** A node KeyObject: the access core verifies synchronously with node:crypto. */
  publicKey: crypto.KeyObject;
  privateKey?: crypto.KeyObject;
  createdAt: Date;
  /** When it starts signing. */
  activatesAt: Date;
  /** When it stops signing (the next key's activation); published until every token it signed expired. */
  retiredAt: Date | null;
}

/**
 * ES256 signing keys (RFC 7518 §3.4): private keys are stored encrypted under the master key.
 * The newest key whose activation has come, and whose retirement has not, signs. Every key that
 * may yet sign or whose tokens may still be alive is published in the JWKS: a new key before it
 * signs, a retired key until every token it signed has expired (§4).
 */
export class SigningKeys {
  private keys: LoadedKey[] = [];

  constructor(
    private readonly db: Db,
    private readonly master: MasterKey,
    private readonly clock: Clock,
  ) {}

  /** Loads the keys, creating the first one on an empty database. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.keys.some((k) => !k.retiredAt)) {
      await this.rotate({ publishAheadSeconds: 0 });
    }
  }

  /**
   * The schedule: rotates when the newest key is older than `days` (0: never). Every instance may
   * call it; the advisory lock and a re-check inside the transaction make one of them rotate.
   */
  async rotateIfOlderThan(days: number): Promise<string | null> {
    if (days <= 0) return null;
    const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000);
    const newest = this.keys.reduce<LoadedKey | null>((a, k) => (!a || k.createdAt > a.createdAt ? k : a), null);
    if (newest && newest.createdAt > cutoff) return null;
    return this.rotate({ onlyIfNewestBefore: cutoff });
  }

  async reload(): Promise<void> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() - MAX_TOKEN_LIFETIME_SECONDS * 1000);
    const rows = await this.db.query<KeyRow>(
      `SELECT kid, public_jwk, private_ciphertext, created_at, activates_at, retired_at FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid DESC`,
      [horizon],
    );
    this.keys = await Promise.all(
      rows.map(async (r) => ({
        kid: r.kid,
        publicJwk: r.public_jwk,
        publicKey: crypto.createPublicKey({ key: r.public_jwk as crypto.JsonWebKey, format: 'jwk' }),
        privateKey:
          r.retired_at && r.retired_at.getTime() <= now.getTime()
            ? undefined
            : crypto.createPrivateKey({
                key: JSON.parse(this.master.decrypt(r.private_ciphertext, `signing-key:${r.kid}`).toString('utf8')),
                format: 'jwk',
              }),
        createdAt: r.created_at,
        activatesAt: r.activates_at ?? r.created_at,
        retiredAt: r.retired_at,
      })),
    );
  }

  /**
   * Adds a new signing key, published now and signing from `publishAheadSeconds` on; the keys
   * signing until then retire at that moment. Tokens they signed keep verifying.
   */
  async rotate(opts: { publishAheadSeconds?: number; onlyIfNewestBefore?: Date } = {}): Promise<string | null> {
    const kid = newId('key');
    const { privateKey, publicKey } = await jose.generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = await jose.exportJWK(privateKey);
    const now = this.clock.now();
    const activatesAt = new Date(now.getTime() + (opts.publishAheadSeconds ?? PUBLISH_AHEAD_SECONDS) * 1000);
    const rotated = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ROTATION_LOCK]);
      if (opts.onlyIfNewestBefore) {
        const [row] = await tx.query<{ newest: Date | null }>('SELECT max(created_at) AS newest FROM signing_keys');
        if (row?.newest && row.newest > opts.onlyIfNewestBefore) return false; // another instance just did
      }
      await tx.query('UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL OR retired_at > $1', [activatesAt]);
      await tx.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_ciphertext, created_at, activates_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        kid,
        SIGNING_ALG,
        JSON.stringify(publicJwk),
        this.master.encrypt(JSON.stringify(privateJwk), `signing-key:${kid}`),
        now,
        activatesAt,
      ]);
      return true;
    });
    await this.reload();
    return rotated ? kid : null;
  }

  /** The key that signs new tokens (a node KeyObject: signing is synchronous, see access-tokens.ts). */
  active(): { kid: string; privateKey: crypto.KeyObject } {
    const now = this.clock.now().getTime();
    // Keys are loaded newest first: the first whose activation has come and retirement has not.
    const key = this.keys.find((k) => k.privateKey && k.activatesAt.getTime() <= now && (!k.retiredAt || k.retiredAt.getTime() > now)) ?? this.earliestSigner();
    if (!key?.privateKey) throw new Error('no active signing key');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /**
   * The wall clock stepped back before every loaded key's activation (NTP, an operator, a restored
   * VM): none is "active", yet refusing every grant with a 500 would be an outage caused by the
   * clock. The earliest key that still holds its private key signs: it is published already, so
   * every verifier knows it, and signing with it is what happened just before the step.
   */
  private earliestSigner(): LoadedKey | undefined {
    return this.keys.filter((k) => k.privateKey).reduce<LoadedKey | undefined>((a, k) => (!a || k.activatesAt < a.activatesAt ? k : a), undefined);
  }

  /** Public key for `kid`, if it is still published. */
  publicKey(kid: string): crypto.KeyObject | undefined {
    return this.keys.find((k) => k.kid === kid)?.publicKey;
  }

  /** RFC 7517 JWK Set of every published key. */
  jwks(): { keys: jose.JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}
