import crypto from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 TOTP with the authenticator-app defaults (SHA-1, 6 digits, 30 s): what every app
 * understands from an `otpauth://` URI. The arithmetic is otpauth's; what is ours is the window
 * and the replay rule (service.ts).
 */
export const TOTP_PERIOD = 30;
/** ±1 step (RFC 6238 §5.2 recommends at most one step of network delay/clock drift). */
export const TOTP_WINDOW = 1;

export const newTotpSecret = (): string => new Secret({ buffer: crypto.randomBytes(20).buffer }).base32;

const totp = (secret: string, label = 'Gatehouse', issuer = 'Gatehouse') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD, secret: Secret.fromBase32(secret) });

export const totpUri = (secret: string, label: string, issuer: string): string => totp(secret, label, issuer).toString();

/** The time step a code belongs to within ±TOTP_WINDOW of `at`, or null when it matches none. */
export function totpStep(secret: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const t = totp(secret);
  const delta = t.validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : t.counter({ timestamp: at.getTime() }) + delta;
}
