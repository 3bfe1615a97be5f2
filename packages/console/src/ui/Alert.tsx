import type { ReactNode } from 'react';
import { explainError } from '../api/explain';

/** A failed call, explained: what went wrong and what to do (never swallowed). */
export function ErrorAlert({ error, doing, onRetry }: { error: unknown; doing?: string; onRetry?: () => void }) {
  const { title, detail, signInAgain } = explainError(error, doing);
  return (
    <div className="alert" role="alert">
      <strong>{title}</strong>
      <p>{detail}</p>
      {(onRetry || signInAgain) && (
        <div className="alert-actions">
          {onRetry && (
            <button type="button" className="button small" onClick={onRetry}>
              Try again
            </button>
          )}
          {signInAgain && (
            <button type="button" className="button small" onClick={() => window.location.reload()}>
              Reload
            </button>
          )}
        </div>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children && <div className="muted">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function Warning({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <div className="warning" role="note">
      {title && <strong>{title}</strong>}
      <div>{children}</div>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
