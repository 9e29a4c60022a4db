import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface DialogProps {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'normal' | 'wide' | 'drawer';
  /** Wraps body and footer in a <form>; Enter in an input submits. */
  onSubmit?: () => void;
}

/**
 * A modal on the native <dialog> element: showModal() gives focus trapping, the backdrop and
 * Escape (the `cancel` event) without a library. Render it to open it; unmount it to close.
 */
export default function Dialog({ title, onClose, children, footer, size = 'normal', onSubmit }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      opener?.focus();
    };
  }, []);

  const inner = (
    <>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-foot">{footer}</div>}
    </>
  );
  // Rendered at the end of <body>, so a dialog opened from inside a form is not a nested form.
  return createPortal(
    <dialog ref={ref} className={`dialog ${size === 'normal' ? '' : size}`} aria-labelledby={titleId}>
      <div className="dialog-inner">
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn ghost small" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        {onSubmit ? (
          <form
            className="dialog-inner"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              // React bubbles events along the component tree, portals included: a dialog opened
              // from inside another dialog's form must not submit that form too.
              e.stopPropagation();
              onSubmit();
            }}
          >
            {inner}
          </form>
        ) : (
          inner
        )}
      </div>
    </dialog>,
    document.body,
  );
}
