import { Type, type Static } from '@sinclair/typebox';
import { RoleName, Timestamp, type Wire } from './common.js';

/** §8 `POST /console/api/session`. */
export const SignInBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type SignIn = Static<typeof SignInBody>;

export const UserBody = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });
export type User = Wire<Static<typeof UserBody>>;

export const MembershipBody = Type.Object({ orgId: Type.String(), orgName: Type.String(), role: RoleName });
export type Membership = Wire<Static<typeof MembershipBody>>;

/** The session (sign-in, and `GET /console/api/session` after a reload): its CSRF token travels back as `X-CSRF-Token`. */
export const SessionBody = Type.Object({
  csrfToken: Type.String(),
  user: UserBody,
  memberships: Type.Array(MembershipBody),
  /** [P4] A generated password: every other console call answers 403 password_change_required until it is changed. */
  passwordChangeRequired: Type.Optional(Type.Boolean()),
});
export type Session = Wire<Static<typeof SessionBody>>;

/** `GET /console/api/me`. */
export const MeBody = Type.Object({ user: UserBody, memberships: Type.Array(MembershipBody) });
export type Me = Wire<Static<typeof MeBody>>;

/** One scope of `GET /console/api/scopes`, the catalogue the console's scope picker shows [C5]. */
export const ScopeInfoBody = Type.Object({
  scope: Type.String(),
  description: Type.String(),
  /** The id of the API the scope belongs to (§12). */
  api: Type.Optional(Type.String()),
  /** A [M2] management scope, for people's tokens only (the service-account picker leaves it out). */
  management: Type.Optional(Type.Boolean()),
});
export type ScopeInfo = Wire<Static<typeof ScopeInfoBody>>;

/** One API of the catalogue, with its scopes [C5]. */
export const CatalogueApiBody = Type.Object({
  id: Type.String(),
  audience: Type.String(),
  description: Type.Optional(Type.String()),
  scopes: Type.Array(ScopeInfoBody),
});
export type CatalogueApiInfo = Wire<Static<typeof CatalogueApiBody>>;

/**
 * `GET /console/api/scopes` [C5]: every scope (`items`, one page, for the picker), the same grouped
 * by API, and the role table (what each role grants on the APIs).
 */
export const CatalogueBody = Type.Object({
  items: Type.Array(ScopeInfoBody),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  apis: Type.Array(CatalogueApiBody),
  roles: Type.Object({
    viewer: Type.Array(Type.String()),
    member: Type.Array(Type.String()),
    admin: Type.Array(Type.String()),
    owner: Type.Array(Type.String()),
  }),
});
export type CatalogueInfo = Wire<Static<typeof CatalogueBody>>;

/** [P7] One of the person's console sessions (`GET /console/api/me/sessions`). */
export const ConsoleSessionBody = Type.Object({
  id: Type.String(),
  device: Type.String(),
  address: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  current: Type.Boolean(),
});
export type ConsoleSessionInfo = Wire<Static<typeof ConsoleSessionBody>>;
export const ConsoleSessionParams = Type.Object({ id: Type.String({ pattern: '^ses_[0-9A-HJKMNP-TV-Z]{26}$' }) });

const NewPassword = Type.String({ minLength: 1, maxLength: 1024 });

/** [P4] `POST /console/api/me/password`. */
export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: NewPassword },
  { additionalProperties: false },
);
export type ChangePassword = Static<typeof ChangePasswordBody>;

/** [P5] `POST /console/api/password-reset`: `202` whatever the email. */
export const PasswordResetRequestBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });
export type PasswordResetRequest = Static<typeof PasswordResetRequestBody>;

/** [P5] `POST /console/api/password-reset/{secret}`. */
export const PasswordResetBody = Type.Object({ newPassword: NewPassword }, { additionalProperties: false });
export type PasswordReset = Static<typeof PasswordResetBody>;
export const ResetSecretParams = Type.Object({ secret: Type.String({ minLength: 1, maxLength: 200 }) });
