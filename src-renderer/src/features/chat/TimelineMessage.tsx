import { memo } from 'react';
import type { MessageView } from '../../../../src-shared/contract';
import type { MessageExtras } from '../../../../src-shared/contract/areas/messages';
import { MessageActions } from './MessageMenu';
import { MessageRow } from './MessageRow';

interface TimelineMessageProps {
  message: MessageView;
  extras: MessageExtras | undefined;
  showSender: boolean;
  highlighted: boolean;
  tabbable: boolean;
  onFocusMessage: (messageId: number) => void;
  onJump: (messageId: number) => void;
}

/**
 * One message of the timeline with its actions, memoized: the chat view
 * re-renders when anything of the open chat changes (positioning settled,
 * members and typing arrived, the newest came into view), and the rows
 * whose props did not change are skipped. Re-rendering every drawn row on
 * each took ~8 ms right after an open had painted.
 */
export const TimelineMessage = memo(function TimelineMessage({
  message,
  extras,
  showSender,
  highlighted,
  tabbable,
  onFocusMessage,
  onJump,
}: TimelineMessageProps) {
  return (
    <MessageActions message={message} extras={extras} tabbable={tabbable} onFocusMessage={onFocusMessage}>
      <MessageRow
        message={message}
        showSender={showSender}
        highlighted={highlighted}
        extras={extras}
        onJump={onJump}
      />
    </MessageActions>
  );
});
