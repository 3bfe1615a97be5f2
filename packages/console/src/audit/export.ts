import type { AuditEvent } from './api';

/** One event per line, as the API returns it: the format SIEMs ingest. */
export function toJsonLines(events: readonly AuditEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}

export const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'actorName',
  'targetType',
  'targetId',
  'credential',
  'ip',
  'userAgent',
  'detail',
] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: audit data includes names and user agents that callers choose.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(events: readonly AuditEvent[]): string {
  const rows = events.map((e) =>
    [
      e.id,
      e.occurredAt,
      e.action,
      e.outcome,
      e.actor.type,
      e.actor.id,
      e.actor.name,
      e.target?.type,
      e.target?.id,
      e.credential,
      e.ip,
      e.userAgent,
      Object.keys(e.detail ?? {}).length ? e.detail : '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** `gatehouse-audit-org_…-2026-06-01T12-00-00.csv` */
export function exportFileName(orgId: string, ext: 'csv' | 'jsonl', now: Date): string {
  return `gatehouse-audit-${orgId}-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.${ext}`;
}

/** Hands a file to the browser's downloads. */
export function download(name: string, type: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
