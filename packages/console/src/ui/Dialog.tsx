import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  /** Called on Escape, on the close button, and by the caller's own buttons. */
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
  /** Describes the dialog for screen readers (an id of an element inside it). */
  describedBy?: string;
}

/**
 * A modal dialog on the native <dialog>: showModal() makes the rest of the page inert, so focus
 * stays inside and Tab cycles through the dialog; Escape closes it; focus goes back to whatever
 * opened it. Mount it to open it, unmount it to close it.
 */
export function Dialog({ title, onClose, children, wide, describedBy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // Focus the field marked autoFocus (React does not for elements inside a dialog opened later),
    // else the first field, else the dialog itself.
    const target = dialog.querySelector<HTMLElement>('[data-autofocus], input:not([type=hidden]):not([disabled]), select, textarea') ?? dialog;
    target.focus();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className={wide ? 'dialog wide' : 'dialog'} aria-labelledby={titleId} aria-describedby={describedBy} tabIndex={-1}>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => onCloseRef.current()}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
