import { useCallback, useRef, useState } from 'react';
import type { ConversationSummary } from '../../../../src-shared/contract';
import { ClockIcon } from '../../components/Icons';
import { useAppStore } from '../../store/appStore';
import { PopupMenu } from './PopupMenu';
import { CustomTimerDialog } from './CustomTimerDialog';
import { TIMER_OPTIONS, timerLabel } from './timerChoices';

/** The disappearing-messages control in the chat header: shows the timer, opens the choices. */
export function TimerMenu({ conversation }: { conversation: ConversationSummary }) {
  const setTimer = useAppStore((s) => s.setConversationTimer);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const [custom, setCustom] = useState(false);
  const close = useCallback(() => setAt(null), []);
  const on = conversation.disappearAfterMs !== null;
  const label = timerLabel(conversation.disappearAfterMs);
  const isCustom = on && !TIMER_OPTIONS.some((o) => o.ms === conversation.disappearAfterMs);

  function open() {
    const rect = buttonRef.current?.getBoundingClientRect();
    setAt(rect ? { x: rect.right - 220, y: rect.bottom + 4 } : { x: 0, y: 0 });
  }

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={`timer-button${on ? ' is-on' : ''}`}
        data-testid="timer-button"
        aria-haspopup="menu"
        aria-expanded={at !== null}
        title="Disappearing messages"
        onClick={() => (at ? close() : open())}
      >
        <ClockIcon />
        <span className="timer-button__text">
          <span className="visually-hidden">Disappearing messages: </span>
          {label}
        </span>
      </button>
      {at ? (
        <PopupMenu
          label="Disappearing messages"
          testId="timer-menu"
          at={at}
          onClose={close}
          groups={[
            {
              label: 'New messages disappear after',
              radio: true,
              items: [
                ...TIMER_OPTIONS.map((o) => ({
                  id: String(o.ms ?? 'off'),
                  label: o.label,
                  checked: conversation.disappearAfterMs === o.ms,
                  onSelect: () => void setTimer(conversation.id, o.ms),
                })),
                {
                  id: 'custom',
                  label: isCustom ? `Custom: ${label}` : 'Custom…',
                  checked: isCustom,
                  onSelect: () => setCustom(true),
                },
              ],
            },
          ]}
        />
      ) : null}
      {custom ? (
        <CustomTimerDialog
          current={conversation.disappearAfterMs}
          returnFocus={buttonRef}
          onClose={() => setCustom(false)}
          onSave={(ms) => {
            setCustom(false);
            void setTimer(conversation.id, ms);
          }}
        />
      ) : null}
    </>
  );
}
