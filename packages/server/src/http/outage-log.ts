import type { FastifyBaseLogger } from 'fastify';

/** One line per kind of outage per period, however many requests it fails. */
export const OUTAGE_LOG_PERIOD_MS = 10_000;

interface Window {
  startedAt: number;
  /** Requests answered 503 for this kind since its last line. */
  count: number;
}

/** What kind of unavailability `err` is: the driver's code (ECONNREFUSED, 57014...) or the error's name. */
function kindOf(err: unknown): { kind: string; message: string } {
  const e = err as { name?: string; message?: string; code?: unknown; cause?: unknown } | null;
  const cause = (e?.cause ?? e) as { code?: unknown; message?: string; name?: string } | null;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = String(cause?.message ?? e?.message ?? 'unavailable').slice(0, 200);
  return { kind: code ?? (/timeout/i.test(message) ? 'timeout' : (e?.name ?? 'unavailable')), message };
}

/**
 * During a database outage every request fails the same way; a stack trace per request once
 * flooded the log (~10 MB/s). This logs the first failure of each kind at once, then at most one
 * line per period carrying how many requests failed that way since, and never a stack trace.
 */
export class OutageLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly periodMs = OUTAGE_LOG_PERIOD_MS,
  ) {}

  report(log: FastifyBaseLogger, err: unknown): void {
    const { kind, message } = kindOf(err);
    const now = this.now();
    const window = this.windows.get(kind);
    if (window && now - window.startedAt < this.periodMs) {
      window.count++;
      return;
    }
    const failed = (window?.count ?? 0) + 1;
    this.windows.set(kind, { startedAt: now, count: 0 });
    log.error(
      { outage: kind, failedRequests: failed, periodSeconds: this.periodMs / 1000, cause: message },
      `service unavailable (${kind}): ${failed} request(s) answered 503 since the last such line`,
    );
  }
}
