/** Dates as people read them, in the browser's locale and time zone. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const precise = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDate(iso: string | null | undefined, fallback = '—'): string {
  if (!iso) return fallback;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? fallback : dateTime.format(d);
}

export function formatPrecise(iso: string | Date): string {
  return precise.format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** "in 5 minutes", "3 days ago", "just now". */
export function relativeTime(iso: string | Date, now: Date = new Date()): string {
  const t = typeof iso === 'string' ? new Date(iso) : iso;
  const diff = Math.round((t.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(diff);
  if (abs < 5) return 'just now';
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, secs] of units) {
    if (abs >= secs || unit === 'second') return rtf.format(Math.trunc(diff / secs), unit);
  }
  return 'just now';
}
