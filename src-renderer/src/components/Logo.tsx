/** The Parley mark: two overlapping speech bubbles. Decorative wherever a heading names the screen. */
export function Logo({ size = 'md' }: { size?: 'md' | 'sm' }) {
  return (
    <svg className={`logo logo--${size}`} viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      <rect className="logo__back" x="4" y="6" width="28" height="22" rx="8" />
      <path className="logo__back" d="M10 26l-2 8 9-6z" />
      <rect className="logo__front" x="16" y="16" width="28" height="22" rx="8" />
      <path className="logo__front" d="M38 36l2 8-9-6z" />
      <circle className="logo__dot" cx="24" cy="27" r="2" />
      <circle className="logo__dot" cx="30" cy="27" r="2" />
      <circle className="logo__dot" cx="36" cy="27" r="2" />
    </svg>
  );
}
