import { useAppStore } from '../../store/appStore';

/**
 * Takes the composer's place in a conversation nothing can be sent to any
 * more (ConversationSummary.readOnly: left, removed, blocked, awaiting a
 * resync). A calm status, not an error: the history stays readable. An action
 * that still fails here (a reaction in a left group) is shown under it, since
 * the composer that would show it is gone.
 */
export function ReadOnlyNotice({ reason }: { reason: string }) {
  const actionError = useAppStore((s) => s.chatActionError);
  const dismissActionError = useAppStore((s) => s.dismissChatActionError);
  return (
    <div className="readonly-notice" data-testid="chat-readonly" role="status">
      <p className="readonly-notice__text" data-testid="chat-readonly-reason">
        {reason}
      </p>
      {actionError ? (
        <p className="composer__note" role="alert" data-testid="composer-error">
          {actionError.message}{' '}
          <button type="button" className="link-btn" onClick={dismissActionError}>
            Dismiss
          </button>
        </p>
      ) : null}
    </div>
  );
}
