import client from 'prom-client';

/**
 * Prometheus metrics (text exposition format 0.0.4) in a registry of this instance's own, so two
 * servers in one process (tests) never share counters.
 */
export class Metrics {
  readonly registry = new client.Registry();
  readonly grants = new client.Counter({
    name: 'gatehouse_token_requests_total',
    help: 'Token endpoint requests by grant type and outcome; denials carry the OAuth error code as reason.',
    labelNames: ['grant_type', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly latency = new client.Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status class.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(sources: { stateLagSeconds: () => number; pool: () => { total: number; idle: number; waiting: number } | null }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    new client.Gauge({
      name: 'gatehouse_principal_state_lag_seconds',
      help: 'Seconds since this instance last read the principal change log (0 on the embedded database).',
      registers: [this.registry],
      // Across workers (cluster/metrics-gatherer.ts) the laggiest one is the one that matters.
      aggregator: 'max',
      collect() {
        this.set(sources.stateLagSeconds());
      },
    });
    const pool = (key: 'total' | 'idle' | 'waiting', help: string) =>
      new client.Gauge({
        name: `gatehouse_db_pool_${key}_connections`,
        help,
        registers: [this.registry],
        collect() {
          this.set(sources.pool()?.[key] ?? 0);
        },
      });
    pool('total', 'Database pool connections open.');
    pool('idle', 'Database pool connections idle.');
    pool('waiting', 'Queries waiting for a pool connection.');
  }

  /** Counts one token request; `reason` is the OAuth error code of a denial. */
  tokenRequest(grantType: string, reason: string | null): void {
    this.grants.inc({ grant_type: grantType, outcome: reason ? 'denied' : 'granted', reason: reason ?? '' });
  }
}
