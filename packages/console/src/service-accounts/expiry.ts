/**
 * An expiry chosen as a date (`<input type=date>`, local time) means "usable through that day":
 * it becomes the end of that day in the browser's time zone, sent as RFC 3339.
 */
export function expiryInputToIso(date: string): string | null {
  if (!date) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return end.toISOString();
}

/** The date input's value for an RFC 3339 expiry (its local day), or ''. */
export function isoToExpiryInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today, as the earliest date the picker offers. */
export function minExpiryInput(now: Date): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
