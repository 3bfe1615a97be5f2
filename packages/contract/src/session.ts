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

/** One entry of `GET /console/api/scopes`, the catalogue the console's scope picker shows. */
export const ScopeInfoBody = Type.Object({ scope: Type.String(), description: Type.String() });
export type ScopeInfo = Wire<Static<typeof ScopeInfoBody>>;

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
