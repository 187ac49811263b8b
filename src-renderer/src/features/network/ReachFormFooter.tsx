import type { ReactNode } from 'react';
import { Button } from '../../components/Button';

export interface ReachFormFooterProps {
  /** `<testId>-save` is the submit button, `<testId>-saved` the confirmation. */
  testId: string;
  saveLabel: string;
  busy: boolean;
  disabled: boolean;
  saved: boolean;
  /** More buttons after Save (e.g. "Use defaults"). */
  children?: ReactNode;
}

/**
 * The footer of Settings → Network's forms (relay limits, public
 * addresses): the submit button, any other actions, and "Saved." announced
 * once the core stored the change. When the change takes effect is said
 * once for both forms, by the section (NetworkSettings' pending notice).
 */
export function ReachFormFooter({
  testId,
  saveLabel,
  busy,
  disabled,
  saved,
  children,
}: ReachFormFooterProps) {
  return (
    <div className="reach-form__actions">
      <Button
        type="submit"
        testId={`${testId}-save`}
        variant="secondary"
        size="sm"
        disabled={disabled}
        busy={busy}
        busyLabel="Saving…"
      >
        {saveLabel}
      </Button>
      {children}
      {saved ? (
        <span className="field__hint" role="status" data-testid={`${testId}-saved`}>
          Saved.
        </span>
      ) : null}
    </div>
  );
}
