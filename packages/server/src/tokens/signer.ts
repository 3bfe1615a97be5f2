import crypto from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread, turnBatcher } from '../worker-thread.js';

/** To the signing thread: a key (once per key), or a signing input with the key's number. */
export type SignerRequest = { keyId: number; key: crypto.KeyObject } | { id: number; keyId: number; input: string };
export type SignerReply = { id: number; signature: string } | { id: number; error: string };

/** ES256 as JWS wants it (RFC 7518 §3.4: R || S, `ieee-p1363`), base64url. */
export const signEs256 = (input: string, key: crypto.KeyObject): string =>
  crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');

interface Job {
  input: string;
  key: crypto.KeyObject;
  resolve: (signature: string) => void;
  reject: (err: unknown) => void;
}

/**
 * [issue 16] Signs access tokens off the request thread. An ES256 signature is the largest single
 * cost of a grant on the request thread (~47 µs of ~210 µs, profiled under bench:peer load), and the
 * request thread is what limits grants per second; the second core had room. Signatures asked for
 * in one event-loop turn go to the thread in one message and come back in one, so the hop costs a
 * few microseconds per grant, and the signing runs while the grant's audit row commits.
 *
 * (Measured before and dropped: crypto.sign's own thread-pool form, one libuv job per signature,
 * cost more than it saved.)
 *
 * Signing has no side effects, so a thread that fails costs nothing but speed: its jobs, and every
 * later one, are signed on the request thread.
 */
export class Signer {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<number, Job>();
  private readonly keyIds = new WeakMap<crypto.KeyObject, number>();
  private nextKeyId = 0;
  private readonly send = turnBatcher<SignerRequest>((batch) => this.worker?.postMessage(batch));

  sign(input: string, key: crypto.KeyObject): Promise<string> {
    if (this.broken) return Promise.resolve(signEs256(input, key));
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      let keyId = this.keyIds.get(key);
      if (keyId === undefined) {
        keyId = ++this.nextKeyId;
        this.keyIds.set(key, keyId);
        this.send({ keyId, key });
      }
      const id = ++this.nextId;
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { input, key, resolve, reject });
      this.send({ id, keyId, input });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.broken = true; // anything still asked for is signed here
    this.inline();
    await worker?.terminate();
  }

  /** Tests only: ends the thread abruptly, as a crash would, with whatever it was signing. */
  async terminateThread(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorkerThread(import.meta.url, 'signer-thread', null);
    this.worker = worker;
    worker.unref();
    worker.on('message', (replies: SignerReply[]) => {
      for (const r of replies) {
        const job = this.pending.get(r.id);
        if (!job) continue;
        this.pending.delete(r.id);
        if ('signature' in r) job.resolve(r.signature);
        else job.reject(new Error(`signing failed: ${r.error}`));
      }
      if (this.pending.size === 0) worker.unref();
    });
    const fail = () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.broken = true;
      this.inline();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return worker;
  }

  /** The thread is gone: what it had not answered is signed here. */
  private inline(): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) {
      try {
        job.resolve(signEs256(job.input, job.key));
      } catch (err) {
        job.reject(err);
      }
    }
  }
}
