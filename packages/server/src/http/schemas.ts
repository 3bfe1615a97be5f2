import { Type, type TSchema } from '@sinclair/typebox';
import { ALL_SCOPES } from '../catalogue/scopes.js';

/** Schemas shared by several route files. */
export const ErrorBody = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { description: 'RFC 6749 §5.2-shaped error, used by every endpoint' },
);

export const NoContent = Type.Null({ description: 'No content' });

export const errorResponses = {
  400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody,
};

/** `{"items": [...], "nextCursor": "..."}` (§8). */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

/** A response timestamp: handlers return Dates, the serializer writes RFC 3339 strings. */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableTimestamp = Type.Unsafe<Date | string | null>({ type: ['string', 'null'], format: 'date-time' });
/** A request timestamp, validated as RFC 3339. */
export const TimestampInput = Type.String({ format: 'date-time' });

/** An organization id in a path; a well-formed id of someone else's organization is a 404, not a 400. */
export const OrgId = Type.String({ pattern: '^org_[0-9A-HJKMNP-TV-Z]{26}$' });
export const OrgParams = Type.Object({ orgId: OrgId });
export const ScopeName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9.-]*:[a-z]+$', examples: [ALL_SCOPES[0]] });
