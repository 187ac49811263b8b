import { useId, useRef, useState, type RefObject } from 'react';
import {
  describeTimer,
  TIMER_MAX_MS,
  TIMER_MIN_MS,
} from '../../../../src-shared/contract/areas/conversations';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';

const UNITS = [
  { id: 'seconds', label: 'Seconds', ms: 1_000 },
  { id: 'minutes', label: 'Minutes', ms: 60_000 },
  { id: 'hours', label: 'Hours', ms: 3_600_000 },
  { id: 'days', label: 'Days', ms: 86_400_000 },
  { id: 'weeks', label: 'Weeks', ms: 7 * 86_400_000 },
] as const;

/** The custom timer from the two fields, or why it cannot be (30 seconds to 4 weeks, whole numbers). */
export function customTimerMs(amount: string, unitMs: number): { ms: number } | { error: string } {
  const n = Number(amount.trim());
  if (amount.trim() === '' || !Number.isInteger(n) || n < 1) return { error: 'Enter a whole number.' };
  const ms = n * unitMs;
  if (ms < TIMER_MIN_MS || ms > TIMER_MAX_MS) return { error: 'Pick a time between 30 seconds and 4 weeks.' };
  return { ms };
}

/** "Custom…" in the timer menu: a number and a unit, checked before anything is sent. */
export function CustomTimerDialog({
  current,
  onSave,
  onClose,
  returnFocus,
}: {
  current: number | null;
  onSave: (ms: number) => void;
  onClose: () => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const ids = useId();
  const amountRef = useRef<HTMLInputElement>(null);
  const start = initial(current);
  const [amount, setAmount] = useState(String(start.amount));
  const [unit, setUnit] = useState<(typeof UNITS)[number]['id']>(start.unit);
  const [error, setError] = useState<string | null>(null);
  const unitMs = UNITS.find((u) => u.id === unit)?.ms ?? 60_000;
  const result = customTimerMs(amount, unitMs);
  return (
    <Modal
      title="Custom timer"
      testId="custom-timer-dialog"
      onClose={onClose}
      initialFocus={amountRef}
      returnFocus={returnFocus}
    >
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          if ('error' in result) setError(result.error);
          else onSave(result.ms);
        }}
      >
        <p className="dialog-section__text" id={`${ids}-help`}>
          New messages disappear this long after they arrive, for everyone in the conversation.
        </p>
        <div className="custom-timer__row">
          <label className="field">
            <span className="field__label">Disappear after</span>
            <input
              ref={amountRef}
              className="field__input custom-timer__amount"
              data-testid="custom-timer-amount"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={amount}
              aria-describedby={error ? `${ids}-help ${ids}-error` : `${ids}-help`}
              aria-invalid={error !== null || undefined}
              onChange={(e) => {
                setAmount(e.target.value);
                setError(null);
              }}
            />
          </label>
          <label className="field">
            <span className="field__label">Unit</span>
            <select
              className="field__input custom-timer__unit"
              data-testid="custom-timer-unit"
              value={unit}
              onChange={(e) => {
                setUnit(e.target.value as typeof unit);
                setError(null);
              }}
            >
              {UNITS.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {error ? (
          <p className="dialog-error" role="alert" id={`${ids}-error`} data-testid="custom-timer-error">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button testId="custom-timer-cancel" variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" testId="custom-timer-save">
            {'ms' in result ? `Set ${describeTimer(result.ms)}` : 'Set timer'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** The fields' starting values: the current timer in its largest whole unit, else 1 hour. */
function initial(current: number | null): { amount: number; unit: (typeof UNITS)[number]['id'] } {
  if (current === null) return { amount: 1, unit: 'hours' };
  const unit = [...UNITS].reverse().find((u) => current % u.ms === 0) ?? UNITS[0];
  return { amount: current / unit.ms, unit: unit.id };
}
