import type { ReactNode } from 'react';

export interface ErrorBannerProps {
  title: string;
  /** Plain text from the core or the UI; rendered as text, never as HTML. */
  message: ReactNode;
  testId: string;
  onDismiss?: () => void;
  children?: ReactNode;
}

export function ErrorBanner({ title, message, testId, onDismiss, children }: ErrorBannerProps) {
  return (
    <div className="banner banner--error" role="alert" data-testid={testId}>
      <svg className="banner__icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M10 5.75v5.5" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" />
        <circle cx="10" cy="14" r="1.1" fill="currentColor" />
      </svg>
      <div className="banner__body">
        <p className="banner__title">{title}</p>
        <p className="banner__message" data-testid={`${testId}-message`}>
          {message}
        </p>
        {children}
      </div>
      {onDismiss ? (
        <button
          type="button"
          className="banner__dismiss"
          data-testid={`${testId}-dismiss`}
          onClick={onDismiss}
        >
          <span aria-hidden="true">×</span>
          <span className="visually-hidden">Dismiss</span>
        </button>
      ) : null}
    </div>
  );
}
