import crypto from 'node:crypto';
import { bearerOrEmpty, invalidToken } from '@gatehouse/access';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { StateFeed, type PrincipalSource, type StateFeedOptions } from './service.js';

export const STATE_FEED_PATH = '/api/v1/state-feed';

const Query = Type.Object(
  {
    /** How often to send a heartbeat; a verifier asks for a fraction of its own staleness bound. */
    heartbeatMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000, default: 1000 })),
    /** Resume after this cursor (or send `Last-Event-ID`, as EventSource does). */
    cursor: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);

const digest = (s: string): Buffer => crypto.createHash('sha256').update(s).digest();

/**
 * Operator-issued resource-server credentials (GATEHOUSE_RESOURCE_SERVER_TOKENS), never an
 * organization's service account: the feed carries every organization's principals. Compared in
 * constant time over fixed-length digests.
 */
function authenticate(servers: ReadonlyArray<{ name: string; credential: string }>) {
  const known = servers.map((s) => ({ name: s.name, digest: digest(s.credential) }));
  return async (req: FastifyRequest): Promise<void> => {
    const presented = bearerOrEmpty(req.headers.authorization);
    if (!presented) throw invalidToken('the state feed needs a resource-server credential as a bearer token');
    const d = digest(presented);
    let match: string | null = null;
    for (const k of known) if (crypto.timingSafeEqual(d, k.digest)) match = k.name;
    if (!match) throw invalidToken('the resource-server credential is not valid');
    req.log.info({ resourceServer: match }, 'state feed: resource server connected');
  };
}

/**
 * `GET /api/v1/state-feed` (text/event-stream): the principal state resource servers' verifiers
 * decide access from (ARCHITECTURE property 2: the SDK verifier uses the same logic as the
 * server). See service.ts for the protocol.
 */
export function stateFeedRoutes(
  app: App,
  deps: { db: Db; states: PrincipalSource; resourceServers: ReadonlyArray<{ name: string; credential: string }>; options?: StateFeedOptions },
): StateFeed {
  const feed = new StateFeed(deps.db, deps.states, deps.options);
  feed.start();
  // Streams never end on their own: end them before the server waits for its connections.
  app.addHook('preClose', async () => feed.stop());

  app.get(
    STATE_FEED_PATH,
    {
      schema: {
        tags: ['resource servers'],
        summary: 'Principal state for resource-server verifiers (server-sent events: snapshot, change, heartbeat)',
        querystring: Query,
        response: { 401: errorResponses[401], 400: errorResponses[400] },
      },
      onRequest: authenticate(deps.resourceServers),
      logLevel: 'warn',
    },
    async (req, reply) => {
      const lastEventId = req.headers['last-event-id'];
      const cursor = req.query.cursor ?? (typeof lastEventId === 'string' && lastEventId.length <= 128 ? lastEventId : undefined);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // proxies must pass events on as they come
        'x-content-type-options': 'nosniff',
        'x-request-id': req.id,
      });
      reply.raw.flushHeaders();
      await feed.connect(reply.raw, { heartbeatMs: req.query.heartbeatMs ?? 1000, ...(cursor ? { cursor } : {}) });
    },
  );
  return feed;
}
