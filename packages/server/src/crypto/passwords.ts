import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt cost (RFC 7914). N = 2^15, r = 8 is ~32 MiB and tens of milliseconds per attempt. */
export interface PasswordCost {
  logN: number;
  r: number;
  p: number;
}
export const DEFAULT_PASSWORD_COST: PasswordCost = { logN: 15, r: 8, p: 1 };

/** Human passwords only get a slow hash; the parameters travel with the hash. */
export class PasswordHasher {
  constructor(private readonly cost: PasswordCost = DEFAULT_PASSWORD_COST) {}

  async hash(password: string): Promise<string> {
    const salt = crypto.randomBytes(16);
    const { logN, r, p } = this.cost;
    const key = await derive(password, salt, logN, r, p);
    return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [alg, logN, r, p, salt, key] = stored.split('$');
    if (alg !== 'scrypt' || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
    return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
  }

  /** A hash of nothing, verified when the user is unknown so that timing does not tell. */
  private dummy?: Promise<string>;
  dummyHash(): Promise<string> {
    this.dummy ??= this.hash(crypto.randomBytes(16).toString('hex'));
    return this.dummy;
  }
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  return scrypt(password.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

export function generatePassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
