import { Type, type Static } from '@sinclair/typebox';
import { OrgId, RoleName, Timestamp, type Wire } from './common.js';
import { MAX_SECRET_ROTATION_DAYS } from './limits.js';

/** Issue 14 item 5: days after which a secret is marked "rotation recommended". */
const SecretRotationDays = Type.Integer({
  minimum: 1,
  maximum: MAX_SECRET_ROTATION_DAYS,
  description: 'Days after which a secret is marked rotation recommended (default 90)',
});

/** §8 `/console/api/orgs`. */
export const OrganizationBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleName,
  createdAt: Type.Optional(Timestamp),
  /** [P6] Owners and admins must have a second factor. */
  requireMfaForAdmins: Type.Optional(Type.Boolean()),
  secretRotationDays: Type.Optional(SecretRotationDays),
});
export type Organization = Wire<Static<typeof OrganizationBody>>;

/** Create (the creator becomes its owner) and rename. */
export const OrganizationNameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type OrganizationName = Static<typeof OrganizationNameBody>;

/** `PATCH /console/api/orgs/{orgId}` (owners): rename, [P6] require a second factor of owners and admins, the secret-rotation threshold. */
export const OrganizationPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    requireMfaForAdmins: Type.Optional(Type.Boolean()),
    secretRotationDays: Type.Optional(SecretRotationDays),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type OrganizationPatch = Static<typeof OrganizationPatchBody>;

/** §8 `/console/api/orgs/{orgId}/members`. */
export const MemberParams = Type.Object({ orgId: OrgId, userId: Type.String({ maxLength: 64 }) });

export const MemberBody = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleName,
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  joinedAt: Timestamp,
});
export type Member = Wire<Static<typeof MemberBody>>;

export const ChangeRoleBody = Type.Object({ role: RoleName }, { additionalProperties: false });
export type ChangeRole = Static<typeof ChangeRoleBody>;
