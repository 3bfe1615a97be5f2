import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { RequestContext } from '../audit/events.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The Fastify instance every routes.ts registers on, typed by TypeBox schemas. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Who is asking, from where: handed to services for the audit log. */
export const requestContext = (req: FastifyRequest): RequestContext => ({
  ip: req.ip,
  userAgent: req.headers['user-agent'],
  requestId: req.id,
});

/**
 * Sends a body that is already JSON text in the route's response schema (one built by the
 * database, db/json-sql.ts): with a JSON content type, Fastify sends a string as it is, without
 * the serializer. The caller answers for the text matching the schema.
 */
export const sendJsonText = (reply: FastifyReply, body: string): FastifyReply => reply.type('application/json; charset=utf-8').send(body);
