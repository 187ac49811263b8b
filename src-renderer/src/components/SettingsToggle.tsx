import { useId, type ReactNode } from 'react';

export interface SettingsToggleProps {
  label: string;
  testId: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** Greyed out until the setting is known, or while it is being saved. */
  disabled?: boolean;
  /** What on and off mean, under the switch and read out with it. */
  hint?: ReactNode;
  /** Why the last change failed, under the hint and announced. */
  error?: string | null;
  errorTestId?: string;
}

/**
 * Every on/off setting: a checkbox with the switch role (screen readers say
 * "on"/"off"), its label as the click target, and the hint and any error tied
 * to it with aria-describedby.
 */
export function SettingsToggle({
  label,
  testId,
  checked,
  onChange,
  disabled = false,
  hint,
  error = null,
  errorTestId,
}: SettingsToggleProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="toggle-row">
      <label className="toggle">
        <input
          type="checkbox"
          role="switch"
          data-testid={testId}
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={describedBy}
        />
        <span>{label}</span>
      </label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" role="alert" id={errorId} data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
