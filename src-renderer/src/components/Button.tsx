import type { ButtonHTMLAttributes, ReactNode, Ref } from 'react';
import { Spinner } from './Spinner';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'className' | 'style'> {
  /** Required so every control can be found by tests without relying on its wording. */
  testId: string;
  variant?: 'primary' | 'secondary' | 'ghost';
  size?: 'md' | 'sm';
  block?: boolean;
  /** Shows a spinner and `busyLabel`, and disables the button while work runs. */
  busy?: boolean;
  busyLabel?: ReactNode;
  ref?: Ref<HTMLButtonElement>;
}

export function Button({
  testId,
  variant = 'primary',
  size = 'md',
  block = false,
  busy = false,
  busyLabel,
  disabled,
  type = 'button',
  children,
  ref,
  ...rest
}: ButtonProps) {
  const classes = ['btn', `btn--${variant}`, `btn--${size}`, block ? 'btn--block' : '', busy ? 'is-busy' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <button
      {...rest}
      ref={ref}
      type={type}
      className={classes}
      data-testid={testId}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy ? <Spinner /> : null}
      <span className="btn__label">{busy && busyLabel ? busyLabel : children}</span>
    </button>
  );
}
