import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { QUICK_EMOJI } from './reactions';

/**
 * A small emoji picker: the common reactions as buttons (arrow keys move,
 * Enter picks), and a field for any other emoji typed or pasted (the core
 * refuses anything that is not one emoji). Escape or a click outside closes.
 */
export function EmojiPicker({
  label,
  onPick,
  onClose,
  testId = 'emoji-picker',
  className = '',
}: {
  label: string;
  onPick: (emoji: string) => void;
  onClose: () => void;
  testId?: string;
  className?: string;
}) {
  const rootRef = useRef<HTMLDivElement>(null);
  const [other, setOther] = useState('');

  // The latest onClose, so re-renders of the row (a refresh) neither re-run the effect nor steal focus.
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  useEffect(() => {
    rootRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
    function outside(e: MouseEvent) {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) closeRef.current();
    }
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    const buttons = Array.from(
      rootRef.current?.querySelectorAll<HTMLButtonElement>('.emoji-picker__emoji') ?? [],
    );
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 4, ArrowUp: -4 }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    buttons[Math.min(Math.max(index + step, 0), buttons.length - 1)]?.focus();
  }

  const pickOther = () => {
    const emoji = other.trim();
    if (emoji) onPick(emoji);
  };

  return (
    <div
      ref={rootRef}
      className={`emoji-picker ${className}`}
      role="dialog"
      aria-label={label}
      data-testid={testId}
      onKeyDown={onKeyDown}
    >
      <div className="emoji-picker__grid">
        {QUICK_EMOJI.map((emoji) => (
          <button
            key={emoji}
            type="button"
            className="emoji-picker__emoji"
            data-testid="emoji-option"
            data-emoji={emoji}
            aria-label={emoji}
            onClick={() => onPick(emoji)}
          >
            {emoji}
          </button>
        ))}
      </div>
      <form
        className="emoji-picker__other"
        onSubmit={(e) => {
          e.preventDefault();
          pickOther();
        }}
      >
        <label className="visually-hidden" htmlFor={`${testId}-other`}>
          Another emoji
        </label>
        <input
          id={`${testId}-other`}
          className="emoji-picker__input"
          data-testid="emoji-other"
          value={other}
          maxLength={32}
          placeholder="Other emoji…"
          onChange={(e) => setOther(e.target.value)}
        />
      </form>
    </div>
  );
}
