import { ErrorBanner } from '../../components/ErrorBanner';
import { useAppStore } from '../../store/appStore';

/** A failed conversation action (timer, notifications, leave): what went wrong, until dismissed. */
export function ActionErrorToast() {
  const error = useAppStore((s) => s.conversationActionError);
  const clear = useAppStore((s) => s.clearConversationActionError);
  if (!error) return null;
  return (
    <div className="action-toast">
      <ErrorBanner
        testId="conversation-action-error"
        title="That did not work"
        message={error.message}
        onDismiss={clear}
      />
    </div>
  );
}
