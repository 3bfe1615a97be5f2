import type crypto from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { type SignerReply, type SignerRequest, signEs256 } from './signer.js';

/**
 * The signing thread (tokens/signer.ts): ES256 signatures (RFC 7518 §3.4, R || S) for the request
 * thread, a batch per message. Keys arrive once each, as KeyObjects (cloneable across threads).
 */
const port = parentPort;
if (!port) throw new Error('signer-thread.ts runs only as a worker thread');

const keys = new Map<number, crypto.KeyObject>();
port.on('message', (batch: SignerRequest[]) => {
  const replies: SignerReply[] = [];
  for (const r of batch) {
    if ('key' in r) {
      keys.set(r.keyId, r.key);
      continue;
    }
    const key = keys.get(r.keyId);
    try {
      if (!key) throw new Error('unknown signing key');
      replies.push({ id: r.id, signature: signEs256(r.input, key) });
    } catch (err) {
      replies.push({ id: r.id, error: String((err as Error)?.message ?? err) });
    }
  }
  if (replies.length) port.postMessage(replies);
});
