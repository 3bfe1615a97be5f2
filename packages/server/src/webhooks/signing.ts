import crypto from 'node:crypto';
import type { MasterKey } from '../crypto/master-key.js';

/** [E1] Standard Webhooks: `whsec_` + base64 of the key; 32 random bytes (the spec asks 24–64). */
export function newSigningSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

/** The secret is needed again to sign, so it is encrypted (not hashed) under the master key. */
export const sealSecret = (master: MasterKey, endpointId: string, secret: string): string => master.encrypt(secret, `webhook-secret:${endpointId}`);
export const openSecret = (master: MasterKey, endpointId: string, sealed: string): string =>
  master.decrypt(sealed, `webhook-secret:${endpointId}`).toString('utf8');

/**
 * [E3] Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, keyed
 * by the base64-decoded secret; one space-separated signature per secret (rotation overlap).
 */
export function signatureHeader(secrets: readonly string[], msgId: string, timestamp: number, body: string): string {
  return secrets
    .map((s) => {
      const key = Buffer.from(s.replace(/^whsec_/, ''), 'base64');
      return `v1,${crypto.createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}
