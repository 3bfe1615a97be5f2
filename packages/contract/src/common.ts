import { Type, type TLiteral, type TSchema } from '@sinclair/typebox';

/**
 * What a client reads off the wire for a response whose server-side type is `T`: the serializer
 * writes every Date as an RFC 3339 string (property 6: responses go through their schema).
 */
export type Wire<T> = T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** RFC 6749 §5.2-shaped error, used by every endpoint (and the console API's closed set of codes). */
export const ErrorBody = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { description: 'RFC 6749 §5.2-shaped error, used by every endpoint' },
);
export type ErrorResponse = { error: string; error_description: string };

export const NoContent = Type.Null({ description: 'No content' });

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

/** `{"items": [...], "nextCursor": "..."}`: every list, console and reference API (§8). */
export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

/** A response timestamp: handlers return Dates, the serializer writes RFC 3339 strings (see Wire). */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableTimestamp = Type.Unsafe<Date | string | null>({ type: ['string', 'null'], format: 'date-time' });
/** A request timestamp, validated as RFC 3339. */
export const TimestampInput = Type.String({ format: 'date-time' });

/** An organization id in a path; a well-formed id of someone else's organization is a 404, not a 400. */
export const OrgId = Type.String({ pattern: '^org_[0-9A-HJKMNP-TV-Z]{26}$' });
export const OrgParams = Type.Object({ orgId: OrgId });
/** `<resource>:<action>` (§6); whether it is in the catalogue is the server's check. */
// The action may hold a hyphen: the [M2] management scopes (`manage:service-accounts`).
export const ScopeName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9.-]*:[a-z][a-z-]*$', examples: ['governance.controls:read'] });

/** Roles from least to most (§6): names on the wire, so they live in the contract. */
export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
// The cast keeps the static type a Role while the list stays data.
export const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)) as unknown as [TLiteral<Role>]);
