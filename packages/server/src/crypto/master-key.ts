import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from '../durable-file.js';

/**
 * Envelope encryption for what the server keeps in its database (§9): signing keys and the
 * secret-hashing key are stored as AES-256-GCM ciphertext under the master key.
 */
export class MasterKey {
  private constructor(private readonly key: Buffer) {}

  /** From `GATEHOUSE_MASTER_KEY`: 32 bytes, base64 or base64url (e.g. `openssl rand -base64 32`). */
  static fromString(value: string): MasterKey {
    const key = Buffer.from(value.trim(), 'base64');
    if (key.length !== 32) throw new Error('GATEHOUSE_MASTER_KEY must be 32 bytes, base64-encoded');
    return new MasterKey(key);
  }

  /** Embedded mode: the key lives in the data directory, created on first start with mode 0600. */
  static fromDataDir(dataDir: string): MasterKey {
    const file = path.join(dataDir, 'master.key');
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      // §9: every encrypted row depends on this key, so it is written whole and durably (temp
      // file, fsync, link, directory fsync; issue 16 item 4) and never replaced.
      writeFileDurably(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, replace: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return MasterKey.fromString(fs.readFileSync(file, 'utf8'));
  }

  /**
   * [R1] A restore into an empty data directory installs the backed-up server's `master.key`
   * (`--master-key-file`), durably, refusing to replace a different one.
   */
  static install(dataDir: string, value: string): MasterKey {
    const key = MasterKey.fromString(value);
    const file = path.join(dataDir, 'master.key');
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileDurably(file, value.trim(), { mode: 0o600, replace: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!MasterKey.fromString(fs.readFileSync(file, 'utf8')).key.equals(key.key)) {
        throw new Error(`${file} already holds another master key: restore into an empty data directory`);
      }
    }
    return key;
  }

  static random(): MasterKey {
    return new MasterKey(crypto.randomBytes(32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url; `context` is bound as associated data. */
  encrypt(plaintext: Buffer | string, context: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(envelope: string, context: string): Buffer {
    const [version, iv, tag, body] = envelope.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable ciphertext');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      throw new Error(`cannot decrypt ${context}: wrong GATEHOUSE_MASTER_KEY?`);
    }
  }
}
