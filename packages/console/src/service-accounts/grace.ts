/** [A5]: the previous secret keeps working for a grace window, 0 s to 7 days, 60 s by default. */
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '@gatehouse/contract/limits';

export { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS };

export type GraceUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export type GraceChoice = { kind: 'default' } | { kind: 'immediate' } | { kind: 'custom'; amount: string; unit: GraceUnit };

const UNIT_SECONDS: Record<GraceUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The grace window in seconds, or an error to show beside the custom field. */
export function graceSeconds(choice: GraceChoice): { seconds: number } | { error: string } {
  if (choice.kind === 'default') return { seconds: DEFAULT_GRACE_SECONDS };
  if (choice.kind === 'immediate') return { seconds: 0 };
  const text = choice.amount.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return { error: 'Enter a number, e.g. 15.' };
  const seconds = Math.round(Number(text) * UNIT_SECONDS[choice.unit]);
  if (seconds > MAX_GRACE_SECONDS) return { error: 'The grace window can be at most 7 days.' };
  return { seconds };
}

/** When the secret in use now stops working, if the rotation happens at `now`. */
export function previousSecretStops(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

/** "60 seconds", "1 hour 30 minutes", "7 days", "immediately". */
export function describeDuration(seconds: number): string {
  if (seconds <= 0) return 'immediately';
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ');
}

/**
 * A service account's secrets, read for people: the one in use and, during a grace window, the
 * previous one and when it stops.
 */
export function secretSummary(secrets: Array<{ generation: number; expiresAt: string | null }>, now: Date): string {
  const live = secrets.filter((s) => !s.expiresAt || new Date(s.expiresAt) > now);
  const previous = live.filter((s) => s.expiresAt).sort((a, b) => a.generation - b.generation)[0];
  if (!previous) return 'One secret in use.';
  const left = Math.ceil((new Date(previous.expiresAt!).getTime() - now.getTime()) / 1000);
  return `The previous secret still works for ${describeDuration(left)}.`;
}
