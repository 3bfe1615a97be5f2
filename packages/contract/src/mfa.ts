import { Type, type Static } from '@sinclair/typebox';
import { NullableTimestamp, Timestamp, type Wire } from './common.js';

/** [P6] The factors a pending sign-in may be finished with. */
export const MfaMethodName = Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery')]);
export type MfaMethod = Static<typeof MfaMethodName>;

/** `POST /console/api/session` with a factor enrolled: no session yet, only the second-factor step. */
export const MfaRequiredBody = Type.Object({ mfaRequired: Type.Literal(true), methods: Type.Array(MfaMethodName) });
export type MfaRequired = Wire<Static<typeof MfaRequiredBody>>;

/** A WebAuthn response as the browser serializes it (its checks are @simplewebauthn/server's). */
export const WebAuthnResponse = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 1024 }), rawId: Type.String({ maxLength: 1024 }), type: Type.String({ maxLength: 32 }) },
  { additionalProperties: true },
);
/** WebAuthn options (PublicKeyCredentialCreation/RequestOptionsJSON), passed to the browser as they are. */
export const WebAuthnOptions = Type.Object({ challenge: Type.String() }, { additionalProperties: true });
export type WebAuthnOptionsJson = Record<string, unknown> & { challenge: string };

/** `POST /console/api/session/mfa`. */
export const MfaProofBody = Type.Union([
  Type.Object({ method: Type.Literal('totp'), code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('recovery'), code: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('passkey'), response: WebAuthnResponse }, { additionalProperties: false }),
]);
export type MfaProof = Static<typeof MfaProofBody>;

/** `GET /console/api/me/mfa`. */
export const PasskeyBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  backedUp: Type.Boolean(),
});
export type PasskeyInfo = Wire<Static<typeof PasskeyBody>>;
export const MfaStatusBody = Type.Object({ totp: Type.Boolean(), passkeys: Type.Array(PasskeyBody), recoveryCodesLeft: Type.Integer() });
export type MfaStatus = Wire<Static<typeof MfaStatusBody>>;

/** `POST /console/api/me/mfa/totp`: the secret and its `otpauth://` URI, shown once. */
export const TotpEnrolmentBody = Type.Object({ secret: Type.String(), uri: Type.String() });
export type TotpEnrolment = Wire<Static<typeof TotpEnrolmentBody>>;
export const TotpCodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false });

/** Enrolling the first factor brings the ten recovery codes, shown once (else null). */
export const EnrolledBody = Type.Object({ recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export type Enrolled = Wire<Static<typeof EnrolledBody>>;
export const PasskeyRegistrationBody = Type.Object(
  { response: WebAuthnResponse, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
export const PasskeyEnrolledBody = Type.Object({ id: Type.String(), name: Type.String(), recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export type PasskeyEnrolled = Wire<Static<typeof PasskeyEnrolledBody>>;
export const PasskeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });
export const RecoveryCodesBody = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export type RecoveryCodes = Wire<Static<typeof RecoveryCodesBody>>;
