import { useState } from 'react';
import { fetchAll, type ConsoleApi } from '../api/client';
import { explainError } from '../api/explain';
import { auditEvents, type AuditQuery } from './api';
import { download, exportFileName, toCsv, toJsonLines } from './export';

const MAX_EXPORT = 50_000;

/** Exports every event matching the filters (all pages, newest first) as JSON lines or CSV. */
export function AuditExport({ api, orgId, query }: { api: ConsoleApi; orgId: string; query: AuditQuery }) {
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (format: 'jsonl' | 'csv') => {
    setBusy(true);
    setStatus('Preparing export…');
    try {
      const { items, truncated } = await fetchAll(
        (cursor) => auditEvents.list(api, orgId, query, cursor, 500),
        MAX_EXPORT,
        (n) => setStatus(`Fetched ${n} events…`),
      );
      const content = format === 'csv' ? toCsv(items) : toJsonLines(items);
      download(exportFileName(orgId, format, new Date()), format === 'csv' ? 'text/csv' : 'application/x-ndjson', content);
      setStatus(`Exported ${items.length} events${truncated ? ` (the first ${MAX_EXPORT}; narrow the time range for the rest)` : ''}.`);
    } catch (err) {
      const e = explainError(err, 'export the audit log');
      setStatus(`${e.title}. ${e.detail}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="export">
      <button type="button" className="button" disabled={busy} onClick={() => void run('jsonl')}>
        Export JSON lines
      </button>
      <button type="button" className="button" disabled={busy} onClick={() => void run('csv')}>
        Export CSV
      </button>
      {status && (
        <span className="muted small export-status" role="status">
          {status}
        </span>
      )}
    </div>
  );
}
