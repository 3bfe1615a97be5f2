import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { errorHandler } from './error-handler.js';
import type { App } from './types.js';
import { validatorCompiler } from './validation.js';
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
  trustProxy: boolean;
  version: string;
  /** Send Strict-Transport-Security (when the public issuer is https). */
  hsts: boolean;
}

/**
 * The Fastify app without routes: parsers, the error serializer, request ids, security headers,
 * the OpenAPI generator. Routes are registered by each domain folder's routes.ts (see gatehouse.ts).
 */
export async function createApp(options: AppOptions): Promise<App> {
  const nextRequestId = requestIds();
  const app = Fastify({
    logger: options.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy,
    // Reuse a caller's request id when it is plainly an id, so logs can be joined across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : nextRequestId();
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // Only JSON and forms are spoken; Fastify's default text/plain parser would turn a wrong
  // content type into a confusing validation error instead of a 415.
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });

  app.removeContentTypeParser('text/plain');
  await app.register(formbody);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: options.version, description: 'Access layer: token endpoint, console API and reference API' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'gatehouse_session' },
        },
      },
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => errorHandler(new ApiError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`), req, reply));

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
