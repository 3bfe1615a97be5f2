import crypto from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import type { MasterKey } from './master-key.js';

/**
 * Symmetric keys the server keeps in its database, encrypted under the master key (§9), so that
 * every instance sharing the database hashes secrets identically. Created on first use; a second
 * instance racing the first reads the winner's key.
 */
export async function loadServerKey(db: Db, master: MasterKey, clock: Clock, name: string): Promise<Buffer> {
  const context = `server-key:${name}`;
  await db.query(`INSERT INTO server_keys (name, ciphertext, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [
    name,
    master.encrypt(crypto.randomBytes(32), context),
    clock.now(),
  ]);
  const [row] = await db.query<{ ciphertext: string }>('SELECT ciphertext FROM server_keys WHERE name = $1', [name]);
  if (!row) throw new Error(`server key ${name} missing`);
  return master.decrypt(row.ciphertext, context);
}
