import crypto from 'node:crypto';

/**
 * Machine secrets (ARCHITECTURE property 3): 256 random bits behind a fixed prefix that secret
 * scanners can match (`ghcs_` client secrets, `ghrt_` refresh tokens, ...). Only a keyed hash
 * (HMAC-SHA-256 under a server key) is stored: a fast hash is right for high-entropy secrets.
 */
export const SECRET_PREFIX = {
  clientSecret: 'ghcs_',
  refreshToken: 'ghrt_',
  session: 'ghss_',
  /** [P1] Invitation links (`${issuer}/invite/ghinv_…`). */
  invitation: 'ghinv_',
  /** [P5] Password-reset links (`${issuer}/reset/ghrst_…`). */
  passwordReset: 'ghrst_',
  /** [P6] A sign-in waiting for its second factor. */
  mfaPending: 'ghmfa_',
} as const;

export function generateSecret(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

export class SecretHasher {
  constructor(private readonly key: Buffer) {}

  hash(secret: string): string {
    return crypto.createHmac('sha256', this.key).update(secret).digest('base64url');
  }

  /** Constant-time comparison of a presented secret against a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    const a = Buffer.from(this.hash(secret));
    const b = Buffer.from(storedHash);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  /** A keyed MAC for other server-issued values (cursors, CSRF tokens). */
  mac(purpose: string, value: string): string {
    return crypto.createHmac('sha256', this.key).update(`${purpose}\0${value}`).digest('base64url');
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
