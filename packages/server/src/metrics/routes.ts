import { bearerOrEmpty } from '@gatehouse/access';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../crypto/secrets.js';
import { notFound } from '../errors.js';
import type { App } from '../http/types.js';
import type { Metrics } from './metrics.js';

/**
 * `GET /metrics` for Prometheus, guarded: without GATEHOUSE_METRICS_TOKEN it is not served (404),
 * with it only `Authorization: Bearer <that token>` is answered, so the metrics are never public
 * by default. Every request's latency is observed by route pattern, not raw URL (no ids, no
 * unbounded label values).
 */
export function metricsRoutes(app: App, deps: { metrics: Metrics; token?: string; render?: () => Promise<string> }): void {
  const { metrics } = deps;
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    metrics.latency.observe(
      { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (req, reply) => {
    const presented = bearerOrEmpty(req.headers.authorization);
    if (!deps.token || !safeEqual(presented, deps.token)) throw notFound('resource');
    reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store');
    // With GATEHOUSE_WORKERS > 1 every worker's numbers, summed (cluster/metrics-gatherer.ts).
    return deps.render ? deps.render() : metrics.registry.metrics();
  });
}
