import { useId, useRef, type ReactNode, type RefObject } from 'react';
import { Button } from './Button';
import { Modal } from './Modal';

export interface ConfirmAction {
  label: string;
  testId: string;
  onConfirm: () => void;
  /** The main action is filled; a lesser one beside it ("Delete for me") is outlined. */
  variant?: 'primary' | 'secondary';
  busy?: boolean;
  busyLabel?: string;
}

export interface ConfirmDialogProps {
  /** The question, which names the dialog: "Remove Cy?" */
  title: string;
  testId: string;
  /** What happens, in words: read out after the title. */
  children: ReactNode;
  /** After Cancel, in order: the main one last, at the right. */
  actions: ConfirmAction[];
  onCancel: () => void;
  cancelTestId: string;
  /** The safe answer's words when "Cancel" says too little ("Choose another"). */
  cancelLabel?: string;
  /** Why the last try failed; the dialog stays open for another. */
  error?: string | null;
  /** Where focus goes on close; else back to the control that opened it. */
  returnFocus?: RefObject<HTMLElement | null>;
}

/**
 * Every "are you sure?" in the app (remove a contact, leave a group, remove a
 * member, delete a message): a small modal dialog over whatever asked, named
 * by its question and described by its consequence. Cancel has focus, so
 * Enter never destroys anything by accident; Escape, Cancel and the backdrop
 * close it, and focus returns to the opener (or to the dialog below when the
 * confirmed change took the opener away). While an action runs, the others
 * wait.
 */
export function ConfirmDialog({
  title,
  testId,
  children,
  actions,
  onCancel,
  cancelTestId,
  cancelLabel = 'Cancel',
  error = null,
  returnFocus,
}: ConfirmDialogProps) {
  const ids = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const running = actions.some((a) => a.busy);
  return (
    <Modal
      title={title}
      testId={testId}
      onClose={onCancel}
      initialFocus={cancelRef}
      returnFocus={returnFocus}
      describedBy={`${ids}-what`}
      closeButton={false}
      className="modal--confirm"
    >
      <div className="dialog-section__text" id={`${ids}-what`}>
        {children}
      </div>
      {error ? (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button ref={cancelRef} testId={cancelTestId} variant="ghost" onClick={onCancel}>
          {cancelLabel}
        </Button>
        {actions.map((a) => (
          <Button
            key={a.testId}
            testId={a.testId}
            variant={a.variant ?? 'primary'}
            busy={a.busy ?? false}
            busyLabel={a.busyLabel}
            disabled={running && !a.busy}
            onClick={a.onConfirm}
          >
            {a.label}
          </Button>
        ))}
      </div>
    </Modal>
  );
}
