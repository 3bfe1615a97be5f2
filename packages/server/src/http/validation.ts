import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { parseTimestamp } from './timestamps.js';

/**
 * Request validation with two ajv instances: bodies are validated strictly (a JSON "60" is not
 * the integer 60, an unknown field is an error), while querystrings and path parameters, which
 * arrive as text, are coerced to the declared types.
 */
const base: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
const strict = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
const coercing = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));

// Every `format: date-time` in a request uses the one strict parser (no leap second, no 30 February),
// replacing ajv-formats' own, so validation and conversion can never disagree.
for (const ajv of [strict, coercing]) ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseTimestamp(s) !== null });

/**
 * [R4] Each route's validator is compiled by its first request, not at start: compiling every
 * route's schemas showed among the largest costs in a CPU profile of a start, and most routes of a
 * given server are rarely called. Fastify reads `errors` off the function it was given, so they
 * are copied there.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  let compiled: ValidateFunction | undefined;
  const validate = Object.assign(
    (data: unknown) => {
      compiled ??= (httpPart === 'body' ? strict : coercing).compile(schema as object);
      const valid = compiled(data);
      validate.errors = compiled.errors;
      return valid;
    },
    { errors: null as ValidateFunction['errors'] },
  );
  return validate;
};
