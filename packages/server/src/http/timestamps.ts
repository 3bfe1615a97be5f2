import { ApiError } from '../errors.js';

/**
 * The one parser for timestamps that arrive in a request (audit filters, service-account
 * `expiresAt`, any `format: date-time` field): strict RFC 3339 §5.6, so that every database sees
 * the same valid instant or the request is refused with 400 at the boundary.
 *
 * Stricter than RFC 3339 in one way, on purpose: a leap second (`:60`, §5.7) is refused. JavaScript
 * dates cannot hold one and PostgreSQL silently rolls it into the next minute, so accepting it
 * would mean a 500 on one driver and a different instant on the other.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (year: number, month: number): number => (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!);

/** The instant `value` names, or null when it is not a real RFC 3339 date-time. */
export function parseTimestamp(value: string): Date | null {
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Math.floor(Number(`0${m[7] ?? ''}`) * 1000));
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  return date;
}

/** `parseTimestamp`, or a 400 naming the field (for values the schema has not already checked). */
export function requireTimestamp(value: string, field: string): Date {
  const date = parseTimestamp(value);
  if (!date) throw new ApiError('invalid_request', `${field} must be an RFC 3339 date-time, such as 2026-01-31T23:59:59Z`);
  return date;
}
