import { memo, useState } from 'react';
import type { MessageView } from '../../../../src-shared/contract';
import type { MessageExtras } from '../../../../src-shared/contract/areas/messages';
import { BlockedIcon, CheckIcon, ClockIcon, FailedIcon, HeldIcon, ReadIcon } from '../../components/Icons';
import { FileBubble } from '../files/FileBubble';
import { formatClock, formatDateTime } from '../../lib/time';
import { MentionText } from './MentionText';
import { MessageCountdown } from './MessageCountdown';
import { Floating, InfoDialog } from './MessageMenu';
import { ReplyQuote } from './ReplyPreview';
import { systemLine } from './systemLine';
import { deliveryLabel, deliveryShape, type DeliveryShape } from './timeline';
import { useUndeliverable } from './useUndeliverable';

export interface MessageRowProps {
  message: MessageView;
  showSender: boolean;
  highlighted: boolean;
  /** Reactions, the quoted original, mentions (rich messages). */
  extras?: MessageExtras;
  /** Jumps to a reply's original. */
  onJump?: (messageId: number) => void;
}

/** One shape per state, so none is told apart by colour alone (WCAG 1.4.1). */
function StateIcon({ shape }: { shape: DeliveryShape }) {
  switch (shape) {
    case 'sending':
      return <ClockIcon />;
    case 'sent':
      return <CheckIcon />;
    case 'held':
      return <HeldIcon />;
    case 'delivered':
      return <CheckIcon double />;
    case 'read':
      return <ReadIcon />;
    case 'failed':
      return <FailedIcon />;
    case 'undeliverable':
      return <BlockedIcon />;
  }
}

/**
 * One message. The body is untrusted: it is a React text child (escaped by
 * React, never innerHTML), line breaks kept by CSS (`white-space: pre-wrap`),
 * formatting and links as React elements (MentionText).
 */
export const MessageRow = memo(function MessageRow({
  message,
  showSender,
  highlighted,
  extras,
  onJump,
}: MessageRowProps) {
  const [showInfo, setShowInfo] = useState(false);
  const outgoing = message.sender.self;
  const deleted = message.deletedAt !== null || message.body === null;
  const undeliverable = useUndeliverable(message.conversationId);
  const label = outgoing ? deliveryLabel(message, undeliverable) : null;
  const shape = outgoing ? deliveryShape(message.state, undeliverable) : null;
  if (message.kind === 'system') {
    return (
      <p className="msg-system" data-testid="message" data-message-id={message.id}>
        {message.event ? systemLine(message.event) : (message.body ?? '')}
      </p>
    );
  }
  const classes = [
    'msg',
    outgoing ? 'msg--out' : 'msg--in',
    deleted ? 'msg--deleted' : '',
    highlighted ? 'is-highlighted' : '',
    extras?.mentionsMe ? 'msg--mentions-me' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={classes}
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted || undefined}
    >
      {showSender ? (
        <p className="msg__sender" data-testid="message-sender">
          {message.sender.name}
        </p>
      ) : null}
      <div className="msg__bubble">
        {/* Without a visible name (DMs, own messages), screen readers still hear who wrote it. */}
        {!showSender ? (
          <span className="visually-hidden">{outgoing ? 'You' : message.sender.name}: </span>
        ) : null}
        {extras?.reply && !deleted ? <ReplyQuote reply={extras.reply} onJump={(id) => onJump?.(id)} /> : null}
        {deleted ? (
          <p className="msg__body msg__body--deleted" data-testid="message-deleted">
            This message was deleted
          </p>
        ) : message.kind === 'file' ? null : (
          // A div: a code block (<pre>) may not sit inside a paragraph.
          <div className="msg__body" data-testid="message-body">
            <MentionText body={message.body ?? ''} extras={extras} />
          </div>
        )}
        {message.hasFile && !deleted ? <FileBubble message={message} /> : null}
        <span className="msg__meta">
          {message.editedAt !== null && !deleted ? (
            <button
              type="button"
              className="msg__edited"
              data-testid="message-edited"
              title={`Edited ${formatDateTime(message.editedAt)}. Show the history.`}
              onClick={() => setShowInfo(true)}
            >
              edited
            </button>
          ) : null}
          {message.expiresAt !== null && !deleted ? <MessageCountdown expiresAt={message.expiresAt} /> : null}
          <time dateTime={new Date(message.sentAt).toISOString()} title={formatDateTime(message.sentAt)}>
            {formatClock(message.sentAt)}
          </time>
          {label && shape ? (
            <span
              className={`msg__state msg__state--${shape}`}
              role="img"
              aria-label={label}
              title={label}
              data-testid="message-state"
              data-state={message.state}
              data-shape={shape}
            >
              <StateIcon shape={shape} />
            </span>
          ) : null}
        </span>
      </div>
      {showInfo ? (
        <Floating>
          <InfoDialog message={message} onClose={() => setShowInfo(false)} />
        </Floating>
      ) : null}
    </div>
  );
});
