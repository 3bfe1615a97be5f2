import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../../src/tokens/signer.js';

/** ES256 as a resource server checks it: SHA-256, P-256, the signature as R || S (RFC 7518 §3.4). */
const verifies = (input: string, signature: string, key: crypto.KeyObject) =>
  crypto.verify('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
const keyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('the signing thread (tokens/signer.ts)', () => {
  let signer: Signer | null = null;
  afterEach(async () => {
    await signer?.close();
    signer = null;
  });

  it('signs a burst of grants in the thread, each input with its own valid ES256 signature', async () => {
    signer = new Signer();
    const { privateKey, publicKey } = keyPair();
    const inputs = Array.from({ length: 60 }, (_, i) => `header.payload-${i}`);
    const signatures = await Promise.all(inputs.map((input) => signer!.sign(input, privateKey)));
    signatures.forEach((signature, i) => {
      expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
      expect(verifies(inputs[i]!, signature, publicKey)).toBe(true);
      // Each answer belongs to its own input, not a neighbour's.
      expect(verifies(inputs[(i + 1) % inputs.length]!, signature, publicKey)).toBe(false);
    });
  });

  it('signs with the key each call names: after a rotation, the new key, never the old one', async () => {
    signer = new Signer();
    const [before, after] = [keyPair(), keyPair()];
    const [old, rotated, again] = await Promise.all([
      signer.sign('a.b', before.privateKey),
      signer.sign('c.d', after.privateKey),
      signer.sign('e.f', before.privateKey),
    ]);
    expect(verifies('a.b', old, before.publicKey)).toBe(true);
    expect(verifies('c.d', rotated, after.publicKey)).toBe(true);
    expect(verifies('c.d', rotated, before.publicKey)).toBe(false);
    expect(verifies('e.f', again, before.publicKey)).toBe(true);
  });

  it('a thread that dies mid-batch costs only speed: its grants and later ones are signed on the request thread', async () => {
    signer = new Signer();
    const { privateKey, publicKey } = keyPair();
    await signer.sign('warm.up', privateKey); // the thread is running
    const inFlight = Array.from({ length: 20 }, (_, i) => signer!.sign(`in.flight-${i}`, privateKey));
    await signer.terminateThread();
    const signed = await Promise.all(inFlight);
    expect(signed.map((s, i) => verifies(`in.flight-${i}`, s, publicKey))).toEqual(signed.map(() => true));
    const later = await signer.sign('after.crash', privateKey);
    expect(verifies('after.crash', later, publicKey)).toBe(true);
  });
});
