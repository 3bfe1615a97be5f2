import cluster from 'node:cluster';
import client from 'prom-client';
import type { PrincipalChange, PrincipalStates } from '../access/principal-state.js';
import type { App } from '../http/types.js';
import type { Metrics } from '../metrics/metrics.js';
import { type ChangeRef, type FromPrimary, type FromWorker, isGatehouseMessage } from './messages.js';

/**
 * How long a response waits for the sibling workers to apply its change. Past it the response goes
 * out anyway: the change feed still brings the change within a second (§9); a warning is logged.
 */
const SYNC_TIMEOUT_MS = 1_000;
const METRICS_TIMEOUT_MS = 3_000;

/**
 * One worker's side of the cluster (cluster/primary.ts). Its job is to make N workers behind one
 * port behave like the one process [A7] and [B6]/[B7] describe: a disable, role change or rotation
 * committed by this worker is applied by every sibling before the response that made it is sent,
 * so the very next call, on any connection, sees it. Changes committed by other servers still
 * arrive through the change feed (cluster/change-feed.ts).
 */
export class WorkerLink {
  readonly id = cluster.worker?.id ?? 0;
  private seq = 0;
  private batch: ChangeRef[] | null = null;
  private readonly waiting = new Map<number, () => void>();
  /** Syncs not yet acknowledged: responses wait for them in onSend. */
  private readonly pending = new Set<Promise<void>>();
  private readonly metricsWaiting = new Map<number, (text: string) => void>();
  /** Until main.ts is serving, a shutdown request is kept for it (a worker asked to stop while starting). */
  private shutdownRequest: boolean | null = null;
  private onShutdown: (now: boolean) => void = (now) => {
    this.shutdownRequest ||= now;
  };
  private warn: (message: string) => void = () => {};
  private attached: ((message: FromPrimary) => void) | null = null;

  constructor(private readonly send: (message: FromWorker) => void = (m) => process.send?.(m)) {
    process.on('message', (message: unknown) => {
      if (!isGatehouseMessage<FromPrimary>(message)) return;
      if (message.gh === 'shutdown' || message.gh === 'shutdown-now') this.onShutdown(message.gh === 'shutdown-now');
      else this.attached?.(message);
    });
  }

  /** Wires this worker's caches, responses and metrics to the cluster (gatehouse.ts, before routes). */
  attach(app: App, states: PrincipalStates, metrics: Metrics): void {
    this.warn = (message) => app.log.warn({ worker: this.id }, message);
    states.subscribe((change) => this.onLocalChange(change));
    app.addHook('onSend', (_req, _reply, payload, done) => {
      if (this.pending.size === 0) return done(null, payload);
      void Promise.all(this.pending).then(() => done(null, payload));
    });
    // Which worker took each connection: /metrics proves the port is shared (per-worker series).
    const connections = new client.Counter({
      name: 'gatehouse_worker_connections_total',
      help: 'Connections accepted, per worker process (GATEHOUSE_WORKERS).',
      labelNames: ['worker'] as const,
      registers: [metrics.registry],
    });
    const worker = String(this.id);
    app.server.on('connection', () => connections.inc({ worker }));
    this.attached = (message) => this.onMessage(message, states, metrics, app);
  }

  /** Called by main.ts once serving: what to do when the primary asks this worker to stop. */
  onShutdownRequest(handler: (now: boolean) => void): void {
    this.onShutdown = handler;
    if (this.shutdownRequest !== null) handler(this.shutdownRequest);
  }

  /** Every worker's metrics, aggregated by the primary (counters and histograms summed). */
  clusterMetrics(): Promise<string> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.metricsWaiting.delete(seq);
        reject(new Error('the primary did not answer for metrics'));
      }, METRICS_TIMEOUT_MS);
      this.metricsWaiting.set(seq, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      this.send({ gh: 'metrics', seq });
    });
  }

  private onLocalChange(change: PrincipalChange): void {
    if (change.remote) return; // heard from the feed or a sibling: whoever committed it announces it
    if (this.batch) {
      this.batch.push({ kind: change.kind, id: change.id });
      return;
    }
    // Changes of one operation (a service calls invalidate* right after its commit) go in one message.
    const batch: ChangeRef[] = [{ kind: change.kind, id: change.id }];
    this.batch = batch;
    const seq = ++this.seq;
    const synced = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (!this.waiting.delete(seq)) return;
        this.warn(`sibling workers did not confirm a change within ${SYNC_TIMEOUT_MS} ms; the change feed will carry it`);
        resolve();
      }, SYNC_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(seq, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.pending.add(synced);
    void synced.then(() => this.pending.delete(synced));
    queueMicrotask(() => {
      this.batch = null;
      this.send({ gh: 'changes', seq, changes: batch });
    });
  }

  private onMessage(message: FromPrimary, states: PrincipalStates, metrics: Metrics, app: App): void {
    switch (message.gh) {
      case 'apply':
        for (const c of message.changes) {
          if (c.kind === 'service_account') states.invalidate(c.id, true);
          else states.invalidateUser(c.id, true);
        }
        this.send({ gh: 'applied', relay: message.relay });
        return;
      case 'synced': {
        const resolve = this.waiting.get(message.seq);
        this.waiting.delete(message.seq);
        resolve?.();
        return;
      }
      case 'metrics-json':
        void metrics.registry
          .getMetricsAsJSON()
          .then((json) => this.send({ gh: 'metrics-json-reply', relay: message.relay, metrics: json }))
          .catch((err: unknown) => app.log.warn({ err }, 'could not read this worker’s metrics'));
        return;
      case 'metrics-text':
        this.metricsWaiting.get(message.seq)?.(message.text);
        this.metricsWaiting.delete(message.seq);
        return;
      default:
        return; // shutdown requests are handled in the constructor's listener
    }
  }
}
