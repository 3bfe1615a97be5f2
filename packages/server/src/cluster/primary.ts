import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import pino from 'pino';
import type { Config } from '../config.js';
import { isGatehouseMessage, type FromPrimary, type FromWorker } from './messages.js';
import { MetricsGatherer } from './metrics-gatherer.js';

/** A worker that dies sooner than this after its fork counts as failing to start. */
const QUICK_EXIT_MS = 10_000;
/** This many quick deaths in a row: the workers cannot start, so the primary stops (no spinning). */
const MAX_QUICK_EXITS = 5;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** How long a sibling has to apply a change before the writer's response goes out anyway. */
const RELAY_TIMEOUT_MS = 1_000;

interface Slot {
  worker: Worker;
  forkedAt: number;
  ready: boolean;
}

/**
 * Server mode with GATEHOUSE_WORKERS > 1 (issue 16): this process serves no HTTP. It forks the
 * workers (each a full instance: main.ts, on the change feed), which share the port through
 * node:cluster. The first worker starts alone, so migrations, the first signing key and the first
 * owner happen once before the others race for nothing; the rest start together. It restarts a
 * worker that dies (with a back-off), gives up with status 1 when workers die at start again and
 * again, relays committed changes between siblings (cluster/worker.ts), gathers /metrics, and on
 * SIGTERM/SIGINT has every worker drain, then exits with them.
 */
export function runPrimary(config: Config, warnings: string[]): void {
  const log = pino({ level: config.logLevel, base: { pid: process.pid, hostname: os.hostname(), worker: 'primary' } });
  for (const w of warnings) log.warn(w);
  const slots = new Map<number, Slot>();
  const relays = new Map<number, { from: Worker; seq: number; waiting: Set<number>; timer: NodeJS.Timeout }>();
  const gatherer = new MetricsGatherer(() => [...slots.values()].filter((s) => s.ready).map((s) => s.worker));
  let relayId = 0;
  let starting = true;
  let stopping = false;
  let quickExits = 0;
  let failed = false;
  const restarts = new Set<NodeJS.Timeout>();

  const fork = (): void => {
    const worker = cluster.fork();
    slots.set(worker.id, { worker, forkedAt: Date.now(), ready: false });
  };
  const send = (worker: Worker, message: FromPrimary): void => {
    if (worker.isConnected()) worker.send(message);
  };
  const settleRelay = (id: number): void => {
    const relay = relays.get(id);
    if (!relay || relay.waiting.size > 0) return;
    clearTimeout(relay.timer);
    relays.delete(id);
    send(relay.from, { gh: 'synced', seq: relay.seq });
  };

  cluster.on('listening', (worker) => {
    const slot = slots.get(worker.id);
    if (!slot || slot.ready) return;
    slot.ready = true;
    if (!starting) log.info({ workerId: worker.id, workerPid: worker.process.pid }, 'worker replaced and serving');
    if (starting && slots.size === 1 && config.workers > 1 && !stopping) {
      for (let i = 1; i < config.workers; i++) fork(); // the first one did the first-start work
    }
    if (starting && slots.size === config.workers && [...slots.values()].every((s) => s.ready)) {
      starting = false;
      log.info({ workers: config.workers, port: config.port }, `Gatehouse is ready with ${config.workers} workers`);
    }
  });

  cluster.on('message', (worker, message: unknown) => {
    if (!isGatehouseMessage<FromWorker>(message)) return;
    switch (message.gh) {
      case 'changes': {
        const id = ++relayId;
        const siblings = [...slots.values()].filter((s) => s.ready && s.worker !== worker && s.worker.isConnected()).map((s) => s.worker);
        const timer = setTimeout(() => {
          const relay = relays.get(id);
          if (relay) relay.waiting.clear();
          settleRelay(id);
        }, RELAY_TIMEOUT_MS);
        relays.set(id, { from: worker, seq: message.seq, waiting: new Set(siblings.map((w) => w.id)), timer });
        for (const w of siblings) send(w, { gh: 'apply', relay: id, changes: message.changes });
        settleRelay(id);
        return;
      }
      case 'applied':
        relays.get(message.relay)?.waiting.delete(worker.id);
        settleRelay(message.relay);
        return;
      case 'metrics':
        void gatherer.gather().then((text) => send(worker, { gh: 'metrics-text', seq: message.seq, text }));
        return;
      case 'metrics-json-reply':
        gatherer.reply(message.relay, message.metrics);
        return;
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    // A dead sibling has nothing left to apply: release whoever waited for it.
    for (const [id, relay] of relays) if (relay.waiting.delete(worker.id)) settleRelay(id);
    if (stopping) {
      if (code !== 0) failed = true; // a worker that could not drain cleanly
      if (slots.size === 0) finish();
      return;
    }
    const lived = slot ? Date.now() - slot.forkedAt : 0;
    log.error({ workerId: worker.id, code, signal, livedMs: lived }, 'worker exited unexpectedly');
    if (starting) {
      // Like a single process that cannot start: stop, and let the supervisor decide.
      log.fatal('a worker failed to start: stopping');
      shutdown('start failure', 1);
      return;
    }
    quickExits = !slot?.ready || lived < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      log.fatal({ quickExits }, 'workers keep dying right after they start: stopping rather than restarting in a loop');
      shutdown('restart loop', 1);
      return;
    }
    const delayMs = quickExits === 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (quickExits - 1));
    log.warn({ delayMs }, 'restarting a worker');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    restarts.add(timer);
  });

  let exitCode = 0;
  function finish(): void {
    const code = exitCode || (failed ? 1 : 0);
    log.info({ code }, 'every worker has exited');
    process.exit(code);
  }

  function shutdown(reason: string, code: number): void {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const t of restarts) clearTimeout(t);
    log.info({ reason, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: workers drain');
    for (const { worker } of slots.values()) {
      if (worker.isConnected()) send(worker, { gh: 'shutdown' });
      else worker.process.kill('SIGTERM');
    }
    // The workers bound their own drain by the same timeout; this is the backstop.
    setTimeout(() => {
      log.error('workers did not exit in time: killing them');
      for (const { worker } of slots.values()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2_000).unref();
    if (slots.size === 0) finish();
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: workers exit now');
      for (const { worker } of slots.values()) send(worker, { gh: 'shutdown-now' });
      exitCode = 130;
      return;
    }
    shutdown(signal, 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  log.info({ workers: config.workers }, 'starting workers');
  fork();
}
