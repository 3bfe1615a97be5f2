import { Type, type Static } from '@sinclair/typebox';
import { RoleName, type Wire } from './common.js';

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
export const SessionBody = Type.Object({ csrfToken: Type.String(), user: UserBody, memberships: Type.Array(MembershipBody) });
export type Session = Wire<Static<typeof SessionBody>>;

/** `GET /console/api/me`. */
export const MeBody = Type.Object({ user: UserBody, memberships: Type.Array(MembershipBody) });
export type Me = Wire<Static<typeof MeBody>>;

/** One entry of `GET /console/api/scopes`, the catalogue the console's scope picker shows. */
/** `management`: a [M2] management scope, for people's tokens only (the service-account picker leaves it out). */
export const ScopeInfoBody = Type.Object({ scope: Type.String(), description: Type.String(), management: Type.Optional(Type.Boolean()) });
export type ScopeInfo = Wire<Static<typeof ScopeInfoBody>>;
