import { useEffect, useState } from 'react';
import { HourglassIcon } from '../../components/Icons';
import { formatDateTime } from '../../lib/time';
import { countdown } from './countdown';

/**
 * The time a disappearing message has left, beside its time ("4m"), with the
 * words for screen readers and the exact moment in the tooltip. It redraws
 * only when the text changes (countdown.ts); the core removes the message.
 */
export function MessageCountdown({ expiresAt }: { expiresAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  const state = countdown(expiresAt, now);
  useEffect(() => {
    const timer = window.setTimeout(() => setNow(Date.now()), state.nextChangeMs);
    return () => window.clearTimeout(timer);
  }, [now, state.nextChangeMs]);
  return (
    <span
      className="msg__countdown"
      role="img"
      aria-label={state.long}
      title={`${state.long} (${formatDateTime(expiresAt)})`}
      data-testid="message-countdown"
    >
      <HourglassIcon />
      <span aria-hidden="true">{state.short}</span>
    </span>
  );
}
