import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';

export interface TextFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'className' | 'style'
> {
  label: string;
  testId: string;
  hint?: ReactNode;
  /** Shown instead of nothing below the field and announced; also marks the input invalid. */
  error?: string | null;
  /** Rendered inside the input's frame on the right (e.g. the show/hide toggle). */
  trailing?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

export function TextField({
  label,
  testId,
  hint,
  error,
  trailing,
  ref,
  type = 'text',
  'aria-describedby': extraDescription,
  ...rest
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // Error first: it is what the user must act on; then the hint and anything the caller links (a meter).
  const describedBy =
    [error ? errorId : '', hint ? hintId : '', extraDescription ?? ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className={`field__control${trailing ? ' field__control--trailing' : ''}`}>
        <input
          {...rest}
          ref={ref}
          id={id}
          type={type}
          className="field__input"
          data-testid={testId}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
        {trailing}
      </div>
      {error ? (
        <p className="field__error" id={errorId} data-testid={`${testId}-error`} role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint" id={hintId} data-testid={`${testId}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
