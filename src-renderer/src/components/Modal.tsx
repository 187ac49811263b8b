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
  describedBy,
  closeButton = true,
  className,
  children,
}: ModalProps) {
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const below = previous?.closest<HTMLElement>('[role="dialog"]') ?? null;
    const back = [returnFocus?.current ?? null, previous, below];
    const target = initialFocus?.current ?? focusablesIn(dialogRef.current)[0] ?? dialogRef.current;
    target?.focus();
    // The first of them still on the page: a row or button removed meanwhile is skipped.
    return () => back.find((el) => el?.isConnected)?.focus();
  }, [initialFocus, returnFocus]);

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
