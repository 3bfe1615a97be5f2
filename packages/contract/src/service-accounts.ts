import { Type, type Static } from '@sinclair/typebox';
import { NullableTimestamp, OrgId, PageQuery, ScopeName, Timestamp, TimestampInput, type Wire } from './common.js';
import { MAX_GRACE_SECONDS, MAX_SECRET_ROTATION_DAYS } from './limits.js';

/** §8 `/console/api/orgs/{orgId}/service-accounts` [A1]–[A8]. */
export const ServiceAccountParams = Type.Object({ orgId: OrgId, id: Type.String({ maxLength: 64 }) });

export const CreateServiceAccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeName, { minItems: 1, maxItems: 64 }),
    expiresAt: Type.Optional(Type.Union([TimestampInput, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateServiceAccount = Static<typeof CreateServiceAccountBody>;

export const UpdateServiceAccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    scopes: Type.Optional(Type.Array(ScopeName, { minItems: 1, maxItems: 64 })),
    expiresAt: Type.Optional(Type.Union([TimestampInput, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateServiceAccount = Static<typeof UpdateServiceAccountBody>;

/** [A5]: the grace window, 0 s to 7 days; no body at all means the default. */
export const RotateSecretBody = Type.Union([
  Type.Object(
    {
      graceSeconds: Type.Optional(
        Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS, description: 'Seconds the previous secret keeps working; default 60' }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export type RotateSecret = Static<typeof RotateSecretBody>;

const SecretInfo = Type.Object({
  id: Type.String(),
  generation: Type.Integer(),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
});

/** The public view: never a hash, never a secret (property 6: serialization drops unlisted fields). */
export const ServiceAccountBody = Type.Object(
  {
    id: Type.String(),
    clientId: Type.String(),
    orgId: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('expired')]),
    expiresAt: NullableTimestamp,
    disabledAt: NullableTimestamp,
    createdAt: Timestamp,
    createdBy: Type.String(),
    updatedAt: Timestamp,
    lastTokenIssuedAt: NullableTimestamp,
    secrets: Type.Array(SecretInfo, { description: 'The secrets valid now: the current one, and the previous one during a grace window' }),
  },
  { description: 'A service account' },
);
export type ServiceAccount = Wire<Static<typeof ServiceAccountBody>>;

export const ServiceAccountCreatedBody = Type.Object({
  ...ServiceAccountBody.properties,
  clientSecret: Type.String({ description: 'Shown once, never again [A2]' }),
});
export type ServiceAccountCreated = Wire<Static<typeof ServiceAccountCreatedBody>>;

export const SecretRotatedBody = Type.Object({
  clientSecret: Type.String({ description: 'The new secret, shown once' }),
  generation: Type.Integer(),
  previousSecretExpiresAt: Timestamp,
  serviceAccount: ServiceAccountBody,
});
export type SecretRotated = Wire<Static<typeof SecretRotatedBody>>;

/** The list's query: paging, and accounts with no successful grant in the last `unusedForDays` days (never used included). */
export const ServiceAccountListQuery = Type.Object(
  {
    ...PageQuery.properties,
    unusedForDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_SECRET_ROTATION_DAYS, description: 'Only accounts with no token granted in this many days (or never)' }),
    ),
  },
  { additionalProperties: false },
);
export type ServiceAccountListFilter = Omit<Static<typeof ServiceAccountListQuery>, 'cursor' | 'limit'>;

/** Issue 14 item 5: what a service account did lately. Never a secret, only when the current one was made. */
export const ServiceAccountActivityBody = Type.Object(
  {
    serviceAccountId: Type.String(),
    days: Type.Array(Type.Object({ date: Type.String({ format: 'date', description: 'A UTC day' }), grants: Type.Integer({ minimum: 0 }) }), {
      description: 'Tokens granted per UTC day, oldest first, the last 30 days up to today (days without grants included)',
    }),
    lastTokenIssuedAt: NullableTimestamp,
    lastUsedAddress: Type.Union([Type.String(), Type.Null()], { description: 'The client address of the last successful grant' }),
    secretCreatedAt: NullableTimestamp,
    secretAgeDays: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Whole days since the current secret was made' }),
    rotationThresholdDays: Type.Integer({ description: "The organization's threshold (default 90)" }),
    rotationRecommended: Type.Boolean({ description: 'The current secret is older than the threshold' }),
  },
  { description: "A service account's recent activity" },
);
export type ServiceAccountActivity = Wire<Static<typeof ServiceAccountActivityBody>>;
