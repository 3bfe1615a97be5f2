/**
 * What the primary and its workers say to each other over the cluster's IPC channel (node:cluster).
 * Every message carries `gh` so that other users of the channel (none today) are told apart.
 */
export interface ChangeRef {
  kind: 'service_account' | 'user';
  id: string;
}

/** Worker → primary. */
export type FromWorker =
  /** Principal changes this worker committed; answered with `synced` once every sibling applied them. */
  | { gh: 'changes'; seq: number; changes: ChangeRef[] }
  /** Acknowledges an `apply`. */
  | { gh: 'applied'; relay: number }
  /** Asks for the metrics of every worker, aggregated; answered with `metrics-text`. */
  | { gh: 'metrics'; seq: number }
  /** Answers `metrics-json` with this worker's registry (prom-client's JSON form). */
  | { gh: 'metrics-json-reply'; relay: number; metrics: unknown[] };

/** Primary → worker. */
export type FromPrimary =
  | { gh: 'synced'; seq: number }
  | { gh: 'apply'; relay: number; changes: ChangeRef[] }
  | { gh: 'metrics-text'; seq: number; text: string }
  | { gh: 'metrics-json'; relay: number }
  /** Drain and exit (the primary got SIGTERM or SIGINT). */
  | { gh: 'shutdown' }
  /** Exit at once (the primary got a second signal). */
  | { gh: 'shutdown-now' };

export function isGatehouseMessage<T extends { gh: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { gh?: unknown }).gh === 'string';
}
