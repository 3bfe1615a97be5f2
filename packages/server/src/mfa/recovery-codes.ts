import crypto from 'node:crypto';

/** [P6] Ten single-use recovery codes, shown once. */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i: read off paper

/** `xxxxx-xxxxx`: 10 characters of a 31-letter alphabet, ~49.5 bits, behind a keyed hash and a rate limit. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What is hashed: case, spaces and dashes do not matter when a person types a code back. */
export const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, '');
