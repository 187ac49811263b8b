import type { ButtonHTMLAttributes, ReactNode, Ref } from 'react';
import { Spinner } from './Spinner';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'className' | 'style'> {
  /** Required so every control can be found by tests without relying on its wording. */
  testId: string;
  variant?: 'primary' | 'secondary' | 'ghost';
  size?: 'md' | 'sm';
  block?: boolean;
  /**
   * Shows a spinner and `busyLabel`, and refuses clicks while work runs. The button
   * stays focusable (aria-disabled, not disabled): a disabled button drops focus to
   * <body>, and a keyboard user is lost, outside any dialog Escape would close.
   */
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
  onClick,
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
      disabled={disabled}
      aria-disabled={busy || undefined}
      aria-busy={busy || undefined}
      onClick={(e) => {
        // Also cancels a form's submission while busy (Enter in a field clicks the submit button).
        if (busy) {
          e.preventDefault();
          return;
        }
        onClick?.(e);
      }}
    >
      {busy ? <Spinner /> : null}
      <span className="btn__label">{busy && busyLabel ? busyLabel : children}</span>
    </button>
  );
}
