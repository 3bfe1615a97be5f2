import { Type, type TLiteral } from '@sinclair/typebox';
import { ROLES, type Role } from '../catalogue/scopes.js';
import { OrgId, Timestamp } from '../http/schemas.js';

/** Request and response schemas of the invitation routes [P1] [P3]; responses list every field they may carry. */
const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)) as unknown as [TLiteral<Role>]);

export const InvitationParams = Type.Object({ orgId: OrgId, id: Type.String({ maxLength: 64 }) });
export const SecretParams = Type.Object({ secret: Type.String({ maxLength: 200 }) });

export const CreateBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    role: RoleName,
  },
  { additionalProperties: false },
);

/** [P1] The one answer that carries the secret (in `inviteUrl`). */
export const CreatedBody = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleName,
  expiresAt: Timestamp,
  inviteUrl: Type.String(),
  /** Whether the link is also being mailed (GATEHOUSE_SMTP_URL set), so the console can say so. */
  mailed: Type.Boolean(),
});

/** [P1] A pending invitation as listed: never the URL or the secret. */
export const InvitationBody = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleName,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  invitedBy: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
});

/** [P3] What the link shows before accepting. */
export const PreviewBody = Type.Object({
  organization: Type.Object({ id: Type.String(), name: Type.String() }),
  email: Type.String(),
  role: RoleName,
  invitedBy: Type.Object({ name: Type.String() }),
  expiresAt: Timestamp,
});

export const AcceptBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

const User = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });
const Membership = Type.Object({ orgId: Type.String(), orgName: Type.String(), role: Type.String() });

/**
 * Accepted: the person and their memberships (as `GET /console/api/me`), plus, for a new account,
 * the `csrfToken` of the session just opened (as `POST /console/api/session`).
 */
export const AcceptedBody = Type.Object({
  csrfToken: Type.Optional(Type.String()),
  user: User,
  memberships: Type.Array(Membership),
});
