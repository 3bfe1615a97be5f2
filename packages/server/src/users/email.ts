/**
 * [P8] Emails are compared after Unicode NFKC normalization and lower-casing, the same way in
 * storage, look-ups, invitations and rate limits, so that `İ`, full-width `Ｏ` or a ligature cannot
 * make a second account (or a second rate-limit bucket) for the same address.
 *
 * NFKC folds compatibility forms (full-width letters, ligatures, a combining dot onto its
 * letter); `toLowerCase()` is locale-independent (a Turkish server must not fold differently);
 * the second NFKC makes the result stable, so normalizing a normalized email changes nothing.
 * Trimming comes after NFKC because NFKC turns an ideographic space into an ASCII one.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}

/** The plain shape check the console has always applied: something@something, no spaces. */
export const looksLikeEmail = (email: string): boolean => /^[^\s@]+@[^\s@]+$/.test(email);
