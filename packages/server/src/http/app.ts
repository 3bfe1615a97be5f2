import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../config.js';
import { capConnections, serverTimeouts } from './connection-limits.js';
import { errorHandler } from './error-handler.js';
import { clientErrorHandler, parseForm, rejectMalformedQuery } from './strict-input.js';
import { loggablePath, withSafeSerializers } from './log-serializers.js';
import { openapiOptions } from './openapi.js';
import { OutageLog } from './outage-log.js';
import type { App } from './types.js';
import { validatorCompiler } from './validation.js';
import { serializerCompiler } from './serialization.js';
import { ApiError, InvalidRequest } from '../errors.js';

/** Every body is small JSON or a form; anything larger is refused with 413 before it is parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Request ids join log lines; they must be unique, not unguessable. A random per-process prefix
 * and a counter cost nothing per request (a ULID each time showed up at 4 % of a busy profile).
 */
function requestIds(): () => string {
  const prefix = `req_${crypto.randomBytes(6).toString('base64url')}`;
  let n = 0;
  return () => `${prefix}${(n++).toString(36)}`;
}

const trustHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

/** One row per method and path, in registration order. */
export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app, recorded as registered: for start-time checks and generated test matrices. */
    routeTable: readonly RouteEntry[];
  }
}

export interface AppOptions {
  logger: FastifyServerOptions['logger'];
  /** Whose X-Forwarded-For to believe: false, a hop count or proxy addresses/CIDRs (never `true`). */
  trustProxy: false | number | string[];
  version: string;
  /** The public issuer, named as the OpenAPI document's server. */
  issuer?: string;
  /** Send Strict-Transport-Security (when the public issuer is https). */
  hsts: boolean;
  /** Timeouts and connection caps against slow clients (default: the configuration's defaults). */
  http?: HttpLimits;
}

/**
 * The Fastify app without routes: parsers, the error serializer, request ids, security headers,
 * the OpenAPI generator. Routes are registered by each domain folder's routes.ts (see gatehouse.ts).
 */
export async function createApp(options: AppOptions): Promise<App> {
  const nextRequestId = requestIds();
  const limits = options.http ?? DEFAULT_HTTP_LIMITS;
  const app = Fastify({
    logger: withSafeSerializers(options.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // A hop count trusts the nearest n hops, as proxy-addr counts them. Fastify >= 5.12.1 no longer
    // does this for a number (GHSA-3m5p-2c4r-xxw2: a directly reachable port lets a client write
    // the header), so config.ts warns unless Gatehouse listens on loopback only.
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : options.trustProxy,
    ...serverTimeouts(limits),
    // Fastify's own answers to a malformed URL or a broken request echo the URL, query and all (a
    // `?client_secret=` included); the one error serializer answers generically instead (§10).
    frameworkErrors: errorHandler,
    clientErrorHandler,
    // Reuse a caller's request id when it is plainly an id, so logs can be joined across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : nextRequestId();
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  capConnections(app.server, limits);

  // Only JSON and forms are spoken; Fastify's default text/plain parser would turn a wrong
  // content type into a confusing validation error instead of a 415.
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });

  app.removeContentTypeParser('text/plain');
  await app.register(formbody, { parser: parseForm });
  await app.register(cookie);
  // [M4] operationIds, summaries, security, error responses and servers for every route: http/openapi.ts.
  await app.register(swagger, openapiOptions({ issuer: options.issuer ?? 'http://localhost:8080', version: options.version }));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const outages = new OutageLog();
  app.setErrorHandler((err, req, reply) => errorHandler(err, req, reply, outages));
  app.setNotFoundHandler((req, reply) => errorHandler(new ApiError('not_found', `no route for ${req.method} ${loggablePath(req.url)}`), req, reply));

  app.addHook('onRequest', rejectMalformedQuery);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // [A11]: there is no impersonation path.
    if (req.headers['x-on-behalf-of'] !== undefined) {
      throw new InvalidRequest('X-On-Behalf-Of is not supported: service accounts act as themselves');
    }
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000');
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
