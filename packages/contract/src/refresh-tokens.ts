import { Type, type Static } from '@sinclair/typebox';
import { NullableTimestamp, OrgId, ScopeName, Timestamp, type Wire } from './common.js';

/** §8 `/console/api/me/refresh-tokens` [B1], [B4], [B8]. */
export const RefreshTokenParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const RefreshTokenBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Narrowed to these scopes at creation [B8], or null for whatever the roles allow. */
  scopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  /** Narrowed to these organizations [B8], or null for every organization the user is in. */
  orgIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  expiresAt: Timestamp,
});
export type RefreshToken = Wire<Static<typeof RefreshTokenBody>>;

export const CreateRefreshTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(Type.Array(ScopeName, { minItems: 1, maxItems: 64 })),
    orgIds: Type.Optional(Type.Array(OrgId, { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type CreateRefreshToken = Static<typeof CreateRefreshTokenBody>;

/** `201`: the token string is shown once [B1]. */
export const RefreshTokenCreatedBody = Type.Composite([RefreshTokenBody, Type.Object({ refreshToken: Type.String() })]);
export type RefreshTokenCreated = Wire<Static<typeof RefreshTokenCreatedBody>>;
