import { useState, type ReactNode } from 'react';
import { ErrorAlert } from './Alert';
import { Dialog } from './Dialog';

interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** What is attempted, for the error message ("disable the service account"). */
  doing: string;
  onConfirm(): Promise<void>;
  onClose(): void;
}

/** Asks before a consequential action, says what it does, and explains a failure in place. */
export function Confirm({ title, children, confirmLabel, danger, doing, onConfirm, onClose }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="confirm-text">{children}</div>
      {error !== null && <ErrorAlert error={error} doing={doing} />}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className={danger ? 'button danger' : 'button primary'} onClick={confirm} disabled={busy} data-autofocus>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
