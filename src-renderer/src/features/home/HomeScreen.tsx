import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Logo } from '../../components/Logo';
import { useAppStore } from '../../store/appStore';
import { StatusArea } from './StatusArea';
import { isMac, useLockShortcut } from './useLockShortcut';

/** The first letter of a name, by code point so an emoji or accented initial is not cut in half. */
function initialOf(name: string): string {
  return ([...name.trim()][0] ?? '?').toLocaleUpperCase();
}

export function HomeScreen() {
  const displayName = useAppStore((s) => s.status?.displayName ?? '');
  const lockBusy = useAppStore((s) => s.busy === 'lock');
  const error = useAppStore((s) => (s.error?.action === 'lock' ? s.error : null));
  const lockProfile = useAppStore((s) => s.lockProfile);
  const clearError = useAppStore((s) => s.clearError);

  useLockShortcut(() => void lockProfile());

  return (
    <div className="home" data-testid="home-screen">
      <aside className="sidebar" aria-label="Profile and conversations">
        <div className="sidebar__brand">
          <Logo size="sm" />
          <span className="sidebar__brand-name">Parley</span>
        </div>
        <div className="profile-chip">
          <span className="avatar" aria-hidden="true">
            {initialOf(displayName)}
          </span>
          <span className="profile-chip__text">
            <span className="profile-chip__name" data-testid="home-display-name">
              {displayName}
            </span>
            <span className="profile-chip__meta">Unlocked on this device</span>
          </span>
        </div>
        <nav className="conversations" aria-labelledby="conversations-heading">
          <h2 className="conversations__heading" id="conversations-heading">
            Conversations
          </h2>
          <div className="conversations__empty" data-testid="conversation-list-empty">
            <p className="conversations__empty-title">No conversations yet</p>
            <p className="conversations__empty-text">People you talk to will show up here.</p>
          </div>
        </nav>
        <div className="sidebar__footer">
          <Button
            testId="lock-button"
            variant="secondary"
            block
            busy={lockBusy}
            busyLabel="Locking…"
            aria-keyshortcuts="Control+L Meta+L"
            onClick={() => void lockProfile()}
          >
            <LockIcon />
            <span>Lock</span>
            <kbd className="kbd" aria-hidden="true">
              {isMac ? '⌘L' : 'Ctrl+L'}
            </kbd>
          </Button>
        </div>
      </aside>
      <main className="home__main">
        {error ? (
          <div className="home__banner">
            <ErrorBanner
              testId="home-error"
              title="Parley could not be locked"
              message={error.message}
              onDismiss={clearError}
            />
          </div>
        ) : null}
        <section className="empty-state" aria-labelledby="home-title">
          <div className="empty-state__art" aria-hidden="true">
            <Logo />
          </div>
          <h1 className="empty-state__title" id="home-title">
            Welcome, <span data-testid="home-greeting-name">{displayName}</span>
          </h1>
          <p className="empty-state__text">
            Your profile is ready. Conversations you start or receive will appear here, end-to-end encrypted
            and stored only on this device.
          </p>
        </section>
        <StatusArea />
      </main>
    </div>
  );
}

function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <rect x="4" y="9" width="12" height="8.5" rx="2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M7 9V6.5a3 3 0 0 1 6 0V9" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}
