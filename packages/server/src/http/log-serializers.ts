import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/** A path segment shaped like a credential: a prefixed Gatehouse secret (`ghcs_…`) or a JWT. */
const SECRET_SEGMENT = /^(gh[a-z]{2,4}_|eyJ[\w-]*\.)/;

/**
 * The path of a request URL as it may be logged: never the query string (where a misbehaving
 * client puts `?client_secret=…` or `?access_token=…`, RFC 6749 §2.3.1, RFC 6750 §5.3), and a
 * secret-shaped path segment is masked, in case a route ever carries one.
 */
export function loggablePath(url: string): string {
  const cut = url.search(/[?#]/);
  const path = cut === -1 ? url : url.slice(0, cut);
  return path
    .split('/')
    .map((segment) => {
      const secret = SECRET_SEGMENT.exec(segment);
      if (!secret) return segment;
      // A prefixed secret keeps its prefix (`ghinv_`), so the log still says what kind it was.
      return `${secret[1]!.startsWith('gh') ? secret[1] : segment.slice(0, 5)}[redacted]`;
    })
    .join('/');
}

/**
 * Fastify's default `req` serializer logs `req.url` with its query; this one logs the path only
 * (§10: no secret in a log line). No headers, as before: Authorization, Cookie, Referer never print.
 */
function serializeRequest(req: FastifyRequest): { method: string; url: string; host: string; remoteAddress: string; remotePort: number | undefined } {
  return {
    method: req.method,
    url: loggablePath(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

type LoggerOption = FastifyServerOptions['logger'];

/** Installs the serializer on whatever logger options the caller chose (main.ts, tests). */
export function withSafeSerializers(logger: LoggerOption): LoggerOption {
  if (!logger) return logger;
  const given = logger === true ? {} : logger;
  return { ...given, serializers: { ...given.serializers, req: serializeRequest } };
}
