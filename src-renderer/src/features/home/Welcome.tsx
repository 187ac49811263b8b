import { Button } from '../../components/Button';
import { AddPersonIcon, GroupIcon } from '../../components/Icons';
import { Logo } from '../../components/Logo';
import { useAppStore } from '../../store/appStore';
import { isMac } from './useLockShortcut';

const MOD = isMac ? '⌘' : 'Ctrl+';

/**
 * The main pane with no conversation open. With no conversations yet it invites
 * the first step in words, with the same two actions as the sidebar's icons.
 */
export function Welcome({
  onAddContact,
  onNewGroup,
  canStart,
}: {
  onAddContact: () => void;
  onNewGroup: () => void;
  /** False on a removed device (§13.8 step 4): it can start nothing, so it offers nothing. */
  canStart: boolean;
}) {
  const name = useAppStore((s) => s.status?.displayName ?? '');
  const hasConversations = useAppStore((s) => s.conversations.length > 0);
  return (
    <section className="empty-state" aria-labelledby="home-title">
      <div className="empty-state__art" aria-hidden="true">
        <Logo />
      </div>
      <h1 className="empty-state__title" id="home-title">
        Welcome, <span data-testid="home-greeting-name">{name}</span>
      </h1>
      <p className="empty-state__text">
        {!canStart
          ? hasConversations
            ? `Your conversations stay readable here: pick one on the left, or search everything with ${MOD}K.`
            : 'This device has no conversations to read.'
          : hasConversations
            ? `Pick a conversation on the left, or search everything with ${MOD}K.`
            : 'Your profile is ready. Conversations you start or receive will appear here, end-to-end encrypted and stored only on this device.'}
      </p>
      {hasConversations || !canStart ? null : (
        <div className="empty-state__actions">
          <Button
            testId="welcome-add-contact"
            aria-haspopup="dialog"
            aria-keyshortcuts="Control+N Meta+N"
            onClick={onAddContact}
          >
            <AddPersonIcon />
            Add a contact
          </Button>
          <Button
            testId="welcome-new-group"
            variant="secondary"
            aria-haspopup="dialog"
            aria-keyshortcuts="Control+Shift+N Meta+Shift+N"
            onClick={onNewGroup}
          >
            <GroupIcon />
            New group
          </Button>
        </div>
      )}
    </section>
  );
}
