import type { MessageView } from '../../../../src-shared/contract';
import type { ReplyPreview } from '../../../../src-shared/contract/areas/messages';

/**
 * The quoted original above a reply. A click jumps to the original (loading
 * the page around it); an original that is not on this device says so.
 */
export function ReplyQuote({ reply, onJump }: { reply: ReplyPreview; onJump: (messageId: number) => void }) {
  const text = reply.deleted
    ? 'This message was deleted'
    : (reply.excerpt ?? 'The original message is not on this device');
  const content = (
    <>
      {reply.senderName ? <span className="reply-quote__sender">{reply.senderName}</span> : null}
      <span className={`reply-quote__text${reply.excerpt === null ? ' reply-quote__text--muted' : ''}`}>
        {text}
      </span>
    </>
  );
  if (reply.messageId === null) {
    return (
      <p className="reply-quote" data-testid="reply-quote">
        {content}
      </p>
    );
  }
  const target = reply.messageId;
  return (
    <button
      type="button"
      className="reply-quote reply-quote--link"
      data-testid="reply-quote"
      onClick={() => onJump(target)}
      aria-label={`Reply to ${reply.senderName ?? 'a message'}: ${text}. Show the original.`}
    >
      {content}
    </button>
  );
}

/** Above the composer: what the next message replies to, or which message is being edited. */
export function ComposerBanner({
  kind,
  message,
  onCancel,
}: {
  kind: 'reply' | 'edit';
  message: MessageView;
  onCancel: () => void;
}) {
  const excerpt = (message.body ?? '').replace(/\s+/g, ' ').trim();
  return (
    <div className="composer-banner" data-testid={kind === 'reply' ? 'reply-banner' : 'edit-banner'}>
      <div className="composer-banner__text">
        <span className="composer-banner__title">
          {kind === 'reply'
            ? `Replying to ${message.sender.self ? 'yourself' : message.sender.name}`
            : 'Editing message'}
        </span>
        <span className="composer-banner__excerpt">{excerpt}</span>
      </div>
      <button
        type="button"
        className="icon-btn composer-banner__close"
        data-testid={kind === 'reply' ? 'reply-cancel' : 'edit-cancel'}
        onClick={onCancel}
        aria-label={kind === 'reply' ? 'Cancel reply' : 'Cancel editing'}
        title="Cancel (Esc)"
      >
        ×
      </button>
    </div>
  );
}
