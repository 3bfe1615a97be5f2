import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import { ApiError } from '../errors.js';
import type { SessionUser } from '../sessions/service.js';
import { mfaStore, type Passkey } from './store.js';

/** [R4] Loaded by the first passkey ceremony, not at start (it is the heaviest import of the server). */
const webauthn = () => import('@simplewebauthn/server');

/** A WebAuthn challenge is good for 2 minutes, once. */
export const CHALLENGE_SECONDS = 120;

/**
 * [P6] Passkey ceremonies (WebAuthn Level 3 §7.1 registration, §7.2 authentication), verified by
 * @simplewebauthn/server. The relying party is the issuer: its host is the RP ID and its origin
 * the only accepted origin. Challenges are stored (not kept in memory, so any instance can finish
 * a ceremony), deleted when checked and expire on the injected clock.
 */
export class PasskeyCeremonies {
  private readonly rpID: string;
  private readonly origin: string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    issuer: string,
  ) {
    const url = new URL(issuer);
    this.rpID = url.hostname;
    this.origin = url.origin;
  }

  async registrationOptions(user: SessionUser) {
    const existing = await mfaStore.passkeys(this.db, user.id);
    const options = await (await webauthn()).generateRegistrationOptions({
      rpName: 'Gatehouse',
      rpID: this.rpID,
      userName: user.email,
      userDisplayName: user.name,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      timeout: CHALLENGE_SECONDS * 1000,
      // One passkey per authenticator: the browser refuses to register a second on the same one.
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    await mfaStore.putChallenge(this.db, `register:${user.id}`, options.challenge, this.expiry());
    return options;
  }

  /** The verified new passkey (not yet stored), or 400 when the response does not check out. */
  async verifyRegistration(user: SessionUser, response: unknown, name: string): Promise<Passkey> {
    const challenge = await mfaStore.takeChallenge(this.db, `register:${user.id}`, this.clock.now());
    if (!challenge) throw new ApiError('invalid_request', 'the passkey challenge has expired or was used; start again');
    const result = await (await webauthn())
      .verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        requireUserVerification: false,
      })
      .catch(() => null);
    if (!result?.verified) throw new ApiError('invalid_request', 'the passkey could not be verified');
    const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
    return {
      id: credential.id,
      userId: user.id,
      name,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    };
  }

  async authenticationOptions(userId: string, challengeKey: string) {
    const passkeys = await mfaStore.passkeys(this.db, userId);
    if (!passkeys.length) throw new ApiError('invalid_request', 'no passkey is registered');
    const options = await (await webauthn()).generateAuthenticationOptions({
      rpID: this.rpID,
      timeout: CHALLENGE_SECONDS * 1000,
      allowCredentials: passkeys.map((p) => ({ id: p.id, transports: p.transports })),
      userVerification: 'preferred',
    });
    await mfaStore.putChallenge(this.db, challengeKey, options.challenge, this.expiry());
    return options;
  }

  /** True when `response` is a valid assertion by one of `userId`'s passkeys over the stored challenge. */
  async verifyAuthentication(userId: string, challengeKey: string, response: unknown): Promise<boolean> {
    const challenge = await mfaStore.takeChallenge(this.db, challengeKey, this.clock.now());
    const id = (response as { id?: unknown } | null)?.id;
    if (!challenge || typeof id !== 'string') return false;
    const passkey = (await mfaStore.passkeys(this.db, userId)).find((p) => p.id === id);
    if (!passkey) return false;
    const result = await (await webauthn())
      .verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        credential: {
          id: passkey.id,
          publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: false,
      })
      .catch(() => null); // a malformed or cloned-counter response is a failed attempt, not a 500
    if (!result?.verified) return false;
    await mfaStore.passkeyUsed(this.db, passkey.id, result.authenticationInfo.newCounter, result.authenticationInfo.credentialBackedUp, this.clock.now());
    return true;
  }

  private expiry(): Date {
    return new Date(this.clock.now().getTime() + CHALLENGE_SECONDS * 1000);
  }
}
