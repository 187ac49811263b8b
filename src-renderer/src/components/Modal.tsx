import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusablesIn(root: HTMLElement | null): HTMLElement[] {
  if (!root) return [];
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE));
}

export interface ModalProps {
  title: string;
  testId: string;
  onClose: () => void;
  /** Focused on open; else the first focusable element in the dialog. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** Where focus goes on close; else back where it was on open. */
  returnFocus?: RefObject<HTMLElement | null>;
  /**
   * Where focus goes on close when nothing had it on open (a shortcut pressed with
   * focus on the page itself): the button that opens the same dialog.
   */
  fallbackFocus?: RefObject<HTMLElement | null>;
  /** The id of the text that says what the dialog is about (read out after the title). */
  describedBy?: string;
  /** False leaves out the header's close button (a confirmation closes with Cancel or Escape). */
  closeButton?: boolean;
  /** Extra class of the dialog box (its size). */
  className?: string;
  children: ReactNode;
}

/**
 * An accessible modal dialog: labelled by its title, Escape and the backdrop
 * close it, Tab stays inside, and focus returns to where it was on close. A
 * dialog opened from inside another (a confirmation over a panel) handles its
 * own keys only, and when its opener went away meanwhile (the member it
 * removed) focus goes back to the dialog below instead of the page.
 */
export function Modal({
  title,
  testId,
  onClose,
  initialFocus,
  returnFocus,
  fallbackFocus,
  describedBy,
  closeButton = true,
  className,
  children,
}: ModalProps) {
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const active = document.activeElement;
    // <body> "has focus" when nothing does: returning there is losing focus.
    const previous = active instanceof HTMLElement && active !== document.body ? active : null;
    const below = previous?.closest<HTMLElement>('[role="dialog"]') ?? null;
    const back = [returnFocus?.current ?? null, previous, below, fallbackFocus?.current ?? null];
    const target = initialFocus?.current ?? focusablesIn(dialogRef.current)[0] ?? dialogRef.current;
    target?.focus();
    // The first of them still on the page: a row or button removed meanwhile is skipped.
    return () => back.find((el) => el?.isConnected)?.focus();
  }, [initialFocus, returnFocus, fallbackFocus]);

  // Escape must close the dialog on top even when focus left it (an element inside
  // was removed, or a click landed outside any control): the dialog's own key handler
  // only hears keys from inside it.
  useEffect(() => {
    function onWindowKeyDown(event: globalThis.KeyboardEvent) {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const dialog = dialogRef.current;
      if (!dialog || (event.target instanceof Node && dialog.contains(event.target))) return;
      const open = document.querySelectorAll('[role="dialog"][aria-modal="true"]');
      if (open[open.length - 1] !== dialog) return;
      event.preventDefault();
      onCloseRef.current();
    }
    window.addEventListener('keydown', onWindowKeyDown);
    return () => window.removeEventListener('keydown', onWindowKeyDown);
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    // React passes keys up through portals and nested dialogs: the innermost one decides alone.
    event.stopPropagation();
    const items = focusablesIn(dialogRef.current);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !dialogRef.current?.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialogRef.current?.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="modal-overlay" data-testid={`${testId}-overlay`} onMouseDown={onClose}>
      <div
        ref={dialogRef}
        className={className ? `modal ${className}` : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        tabIndex={-1}
        data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <div className="modal__header">
          <h2 className="modal__title" id={titleId}>
            {title}
          </h2>
          {closeButton ? (
            <button type="button" className="icon-btn" data-testid={`${testId}-close`} onClick={onClose}>
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">Close</span>
            </button>
          ) : null}
        </div>
        <div className="modal__body">{children}</div>
      </div>
    </div>
  );
}
