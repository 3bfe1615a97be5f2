import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessDenied } from '../errors.js';
import type { Principal, RequireOptions, Verifier } from './verifier.js';

/**
 * Route requirements for the adapters: a fixed scope, and the organization a request is about
 * (usually a path parameter), read from the request. With neither, a verifier created with
 * `routes` decides every request by its catalogue route (one line protects a whole service).
 */
export interface AdapterOptions<Req> {
  scope?: string;
  orgId?: (request: Req) => string | undefined;
}

const requirement = <Req>(options: AdapterOptions<Req>, request: Req): RequireOptions => {
  const orgId = options.orgId?.(request);
  return { ...(options.scope ? { scope: options.scope } : {}), ...(orgId !== undefined ? { orgId } : {}) };
};

/** The request's decision: by the verifier's route table when the adapter names no requirement. */
const decide = async <Req>(verifier: Verifier, options: AdapterOptions<Req>, request: Req, method: string, url: string, auth: string | undefined) =>
  verifier.hasRoutes && options.scope === undefined && options.orgId === undefined
    ? (await verifier.verifyRequest(method, url, auth)).principal
    : verifier.verify(auth, requirement(options, request));

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const denial = (err: unknown): AccessDenied => {
  if (err instanceof AccessDenied) return err;
  // Anything unexpected fails closed, without details.
  return new AccessDenied(503, 'temporarily_unavailable', 'the access decision could not be made; retry shortly');
};

// ---- Fastify (structural types: no dependency on fastify) ---------------------------------------

export interface FastifyLikeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: unknown;
}

export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

/**
 * A Fastify `onRequest` (or `preHandler`) hook: admits the request and sets `request.gatehouse`,
 * or answers 401/403/404/503 itself. To read it typed, augment Fastify's types:
 * `declare module 'fastify' { interface FastifyRequest { gatehouse?: Principal } }`.
 */
export function fastifyHook(verifier: Verifier, options: AdapterOptions<FastifyLikeRequest> = {}) {
  return async (request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<void> => {
    try {
      (request as { gatehouse?: Principal }).gatehouse = await decide(
        verifier,
        options,
        request,
        request.method,
        request.url,
        header(request.headers.authorization),
      );
    } catch (err) {
      const d = denial(err);
      let r = reply.code(d.status);
      for (const [k, v] of Object.entries(d.headers())) r = r.header(k, v);
      r.header('cache-control', 'no-store').send(d.body());
    }
  };
}

// ---- Express (types only: no dependency on express) ---------------------------------------------

export interface ExpressLikeRequest {
  method: string;
  /** The URL as received (Express keeps it when a router strips a mount path from `url`). */
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  gatehouse?: Principal;
}

export interface ExpressLikeResponse {
  status(code: number): ExpressLikeResponse;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

/** Express middleware: sets `req.gatehouse` and calls `next()`, or answers the refusal itself. */
export function expressMiddleware<Req extends ExpressLikeRequest = ExpressLikeRequest>(verifier: Verifier, options: AdapterOptions<Req> = {}) {
  return (req: Req, res: ExpressLikeResponse, next: (err?: unknown) => void): void => {
    decide(verifier, options, req, req.method, req.originalUrl ?? req.url, header(req.headers.authorization)).then(
      (principal) => {
        req.gatehouse = principal;
        next();
      },
      (err: unknown) => {
        const d = denial(err);
        for (const [k, v] of Object.entries(d.headers())) res.setHeader(k, v);
        res.setHeader('cache-control', 'no-store');
        res.status(d.status).json(d.body());
      },
    );
  };
}

// ---- node:http ----------------------------------------------------------------------------------

/**
 * For plain `node:http` handlers: resolves to the principal, or to null after answering the
 * refusal on `res` (so the handler just returns).
 */
export function nodeHttpGuard(verifier: Verifier, options: AdapterOptions<IncomingMessage> = {}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<Principal | null> => {
    try {
      return await decide(verifier, options, req, req.method ?? 'GET', req.url ?? '/', header(req.headers.authorization));
    } catch (err) {
      const d = denial(err);
      res.writeHead(d.status, { ...d.headers(), 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(d.body()));
      return null;
    }
  };
}
