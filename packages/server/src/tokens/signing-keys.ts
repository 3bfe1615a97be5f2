import crypto from 'node:crypto';
import * as jose from 'jose';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import type { MasterKey } from '../crypto/master-key.js';
import { newId } from '../ids.js';

/** The longest access-token lifetime the server mints (user tokens, [B3]); a retired key stays published this long. */
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;

export const SIGNING_ALG = 'ES256';

interface KeyRow {
  kid: string;
  public_jwk: jose.JWK;
  private_ciphertext: string;
  created_at: Date;
  retired_at: Date | null;
}

interface LoadedKey {
  kid: string;
  publicJwk: jose.JWK;
  publicKey: CryptoKey;
  privateKey?: crypto.KeyObject;
  retiredAt: Date | null;
}

/**
 * ES256 signing keys (RFC 7518 §3.4): private keys are stored encrypted under the master key.
 * The newest unretired key signs; every key whose tokens may still be alive is published in the
 * JWKS (§4: a retired key stays until every token it signed has expired).
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
      await this.rotate();
    }
  }

  async reload(): Promise<void> {
    const horizon = new Date(this.clock.now().getTime() - MAX_TOKEN_LIFETIME_SECONDS * 1000);
    const rows = await this.db.query<KeyRow>(
      `SELECT kid, public_jwk, private_ciphertext, created_at, retired_at FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid DESC`,
      [horizon],
    );
    this.keys = await Promise.all(
      rows.map(async (r) => ({
        kid: r.kid,
        publicJwk: r.public_jwk,
        publicKey: (await jose.importJWK(r.public_jwk, SIGNING_ALG)) as CryptoKey,
        privateKey: r.retired_at
          ? undefined
          : crypto.createPrivateKey({
              key: JSON.parse(this.master.decrypt(r.private_ciphertext, `signing-key:${r.kid}`).toString('utf8')),
              format: 'jwk',
            }),
        retiredAt: r.retired_at,
      })),
    );
  }

  /** Adds a new signing key and retires the others; tokens they signed keep verifying. */
  async rotate(): Promise<string> {
    const kid = newId('key');
    const { privateKey, publicKey } = await jose.generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = await jose.exportJWK(privateKey);
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL', [now]);
      await tx.query(
        `INSERT INTO signing_keys (kid, alg, public_jwk, private_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [kid, SIGNING_ALG, JSON.stringify(publicJwk), this.master.encrypt(JSON.stringify(privateJwk), `signing-key:${kid}`), now],
      );
    });
    await this.reload();
    return kid;
  }

  /** The key that signs new tokens (a node KeyObject: signing is synchronous, see access-tokens.ts). */
  active(): { kid: string; privateKey: crypto.KeyObject } {
    const key = this.keys.find((k) => !k.retiredAt && k.privateKey);
    if (!key?.privateKey) throw new Error('no active signing key');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /** Public key for `kid`, if it is still published. */
  publicKey(kid: string): CryptoKey | undefined {
    return this.keys.find((k) => k.kid === kid)?.publicKey;
  }

  /** RFC 7517 JWK Set of every published key. */
  jwks(): { keys: jose.JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}
