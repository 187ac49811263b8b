import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import {
  AddPersonIcon,
  GroupIcon,
  LockIcon,
  SearchIcon,
  SettingsIcon,
  SidebarIcon,
} from '../../components/Icons';
import { RestoredNotice } from '../backup/RestoredNotice';
import { Logo } from '../../components/Logo';
import { useAppStore } from '../../store/appStore';
import { ChatView } from '../chat/ChatView';
import { AddContactDialog } from '../contacts/AddContactDialog';
import { ContactsIcon, ContactsPanel } from '../contacts/ContactsPanel';
import { useRemovedDevice } from '../devices/useRemovedDevice';
import { NewGroupDialog } from '../contacts/NewGroupDialog';
import { ActionErrorToast } from '../conversationSettings/ActionErrorToast';
import { ShortcutsHelp } from '../conversationSettings/ShortcutsHelp';
import { useNotificationEvents } from '../conversationSettings/useNotificationEvents';
import { SearchPanel } from '../search/SearchPanel';
import { SettingsScreen } from '../settings/SettingsScreen';
import { ConversationList } from './ConversationList';
import { initialOf } from './initialOf';
import { SidebarResizer } from './SidebarResizer';
import { StatusArea } from './StatusArea';
import { useHomeShortcuts } from './useHomeShortcuts';
import { useIdleLock } from './useIdleLock';
import { Welcome } from './Welcome';
import { isMac, useLockShortcut } from './useLockShortcut';

const MOD = isMac ? '⌘' : 'Ctrl+';

export function HomeScreen() {
  const displayName = useAppStore((s) => s.status?.displayName ?? '');
  const lockBusy = useAppStore((s) => s.busy === 'lock');
  const error = useAppStore((s) => (s.error?.action === 'lock' ? s.error : null));
  const lockProfile = useAppStore((s) => s.lockProfile);
  const clearError = useAppStore((s) => s.clearError);
  const loadConversations = useAppStore((s) => s.loadConversations);
  const loadNetwork = useAppStore((s) => s.loadNetwork);
  const view = useAppStore((s) => s.view);
  const showView = useAppStore((s) => s.showView);
  const openSearch = useAppStore((s) => s.openSearch);
  const hasChat = useAppStore((s) => s.chat !== null);
  const searchOpen = useAppStore((s) => s.searchOpen);
  const openConversation = useAppStore((s) => s.openConversation);
  const contactsOpen = useAppStore((s) => s.contactsOpen);
  const openContacts = useAppStore((s) => s.openContacts);
  const sidebar = useAppStore((s) => s.sidebar);
  const setSidebarCollapsed = useAppStore((s) => s.setSidebarCollapsed);
  const sidebarRef = useRef<HTMLElement>(null);
  const [dialog, setDialog] = useState<'add-contact' | 'new-group' | null>(null);
  const addContactRef = useRef<HTMLButtonElement>(null);
  const newGroupRef = useRef<HTMLButtonElement>(null);
  // An invite link that opened the app or was clicked in a message: Add contact, filled in.
  const pendingInvite = useAppStore((s) => s.pendingInvite);
  const clearPendingInvite = useAppStore((s) => s.clearPendingInvite);
  // A removed device (§13.8 step 4) starts nothing: no new chat, group or invite; reading stays.
  const removed = useRemovedDevice();

  async function openCreated(conversationId: number) {
    setDialog(null);
    await loadConversations();
    showView('chat');
    await openConversation(conversationId);
  }

  useLockShortcut(() => void lockProfile());
  const helpOpen = useAppStore((s) => s.shortcutsHelpOpen);
  const setHelpOpen = useAppStore((s) => s.setShortcutsHelpOpen);
  useHomeShortcuts({
    onNewChat: () => {
      if (!removed) setDialog('add-contact');
    },
    onNewGroup: () => {
      if (!removed) setDialog('new-group');
    },
    onHelp: () => setHelpOpen(true),
  });
  useNotificationEvents();
  useIdleLock();

  useEffect(() => {
    void loadConversations();
    void loadNetwork();
  }, [loadConversations, loadNetwork]);

  return (
    <div
      className={`home${sidebar.collapsed ? ' home--rail' : ''}`}
      data-testid="home-screen"
      // A width the user dragged; else home.css lets the window decide.
      style={
        sidebar.width !== null && !sidebar.collapsed
          ? ({ '--sidebar-width': `${sidebar.width}px` } as CSSProperties)
          : undefined
      }
    >
      <aside
        ref={sidebarRef}
        id="home-sidebar"
        className="sidebar"
        aria-label="Profile and conversations"
        data-testid="sidebar"
      >
        <div className="sidebar__brand">
          <Logo size="sm" />
          <span className="sidebar__brand-name">Parley</span>
          <span className="sidebar__actions">
            {removed ? null : (
              <button
                ref={addContactRef}
                type="button"
                className="icon-btn"
                data-testid="add-contact"
                aria-haspopup="dialog"
                aria-keyshortcuts="Control+N Meta+N"
                title={`Add contact (${MOD}N)`}
                onClick={() => setDialog('add-contact')}
              >
                <AddPersonIcon />
                <span className="visually-hidden">Add contact</span>
              </button>
            )}
            <button
              type="button"
              className="icon-btn"
              data-testid="contacts-button"
              aria-haspopup="dialog"
              title="Contacts"
              onClick={() => void openContacts()}
            >
              <ContactsIcon />
              <span className="visually-hidden">Contacts</span>
            </button>
            {removed ? null : (
              <button
                ref={newGroupRef}
                type="button"
                className="icon-btn"
                data-testid="new-group"
                aria-haspopup="dialog"
                aria-keyshortcuts="Control+Shift+N Meta+Shift+N"
                title={`New group (${MOD}Shift+N)`}
                onClick={() => setDialog('new-group')}
              >
                <GroupIcon />
                <span className="visually-hidden">New group</span>
              </button>
            )}
            <button
              type="button"
              className="icon-btn"
              data-testid="search-button"
              aria-keyshortcuts="Control+K Meta+K"
              aria-haspopup="dialog"
              title={`Search (${MOD}K)`}
              onClick={openSearch}
            >
              <SearchIcon />
              <span className="visually-hidden">Search messages</span>
            </button>
            <button
              type="button"
              className={`icon-btn${view === 'settings' ? ' is-active' : ''}`}
              data-testid="settings-button"
              aria-keyshortcuts="Control+, Meta+,"
              aria-pressed={view === 'settings'}
              title={`Settings (${MOD},)`}
              onClick={() => showView(view === 'settings' ? 'chat' : 'settings')}
            >
              <SettingsIcon />
              <span className="visually-hidden">Settings</span>
            </button>
          </span>
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
        <ConversationList />
        <div className="sidebar__footer">
          <Button
            testId="lock-button"
            variant="secondary"
            block
            busy={lockBusy}
            busyLabel="Locking…"
            aria-keyshortcuts="Control+L Meta+L"
            title={sidebar.collapsed ? `Lock (${isMac ? '⌘L' : 'Ctrl+L'})` : undefined}
            onClick={() => void lockProfile()}
          >
            <LockIcon />
            <span className="sidebar__footer-label">Lock</span>
            <kbd className="kbd" aria-hidden="true">
              {isMac ? '⌘L' : 'Ctrl+L'}
            </kbd>
          </Button>
          <button
            type="button"
            className="icon-btn sidebar__collapse"
            data-testid="sidebar-collapse"
            aria-expanded={!sidebar.collapsed}
            aria-controls="home-sidebar"
            title={sidebar.collapsed ? 'Expand the conversation list' : 'Collapse the conversation list'}
            onClick={() => setSidebarCollapsed(!sidebar.collapsed)}
          >
            <SidebarIcon expand={sidebar.collapsed} />
            <span className="visually-hidden">
              {sidebar.collapsed ? 'Expand the conversation list' : 'Collapse the conversation list'}
            </span>
          </button>
        </div>
        <SidebarResizer sidebarRef={sidebarRef} />
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
        <RestoredNotice />
        {view === 'settings' ? (
          <SettingsScreen />
        ) : hasChat ? (
          <ChatView />
        ) : (
          <Welcome
            onAddContact={() => setDialog('add-contact')}
            onNewGroup={() => setDialog('new-group')}
            canStart={!removed}
          />
        )}
        <StatusArea />
      </main>
      {searchOpen ? <SearchPanel /> : null}
      {contactsOpen ? <ContactsPanel /> : null}
      <ActionErrorToast />
      {helpOpen ? <ShortcutsHelp onClose={() => setHelpOpen(false)} /> : null}
      {!removed && (dialog === 'add-contact' || pendingInvite !== null) ? (
        <AddContactDialog
          key={pendingInvite ?? 'none'}
          initialInvite={pendingInvite}
          fallbackFocus={addContactRef}
          onClose={() => {
            setDialog(null);
            clearPendingInvite();
          }}
          onAdded={(id) => {
            clearPendingInvite();
            void openCreated(id);
          }}
        />
      ) : null}
      {!removed && dialog === 'new-group' ? (
        <NewGroupDialog
          onClose={() => setDialog(null)}
          onCreated={(id) => void openCreated(id)}
          fallbackFocus={newGroupRef}
        />
      ) : null}
    </div>
  );
}
