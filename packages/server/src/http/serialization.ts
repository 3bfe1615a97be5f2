import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySerializerCompiler } from 'fastify';

/** Fastify's own response serializer compiler (fast-json-stringify; this server adds no shared schemas). */
const compileNow = SerializerSelector()(undefined, {});

/**
 * [R4] Each response schema's serializer is built by the first response that needs it, not at
 * start: building them all was the largest part of the server's start-up CPU after the embedded
 * database, and most routes are rarely called. The serializer itself is Fastify's default.
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  let serialize: ((data: unknown) => string) | undefined;
  return (data) => {
    serialize ??= compileNow(route as Parameters<typeof compileNow>[0]);
    return serialize(data);
  };
};
