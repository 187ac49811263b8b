import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api/client';
import { App } from './App';
import { useAppStore } from './store/appStore';
import './styles/global.css';

/**
 * Wires the core's events into the store exactly once for the window's life
 * (not in a component, where StrictMode or remounts would subscribe twice).
 */
function bootstrap(): void {
  const store = useAppStore.getState();
  api.onProfileChanged((status) => {
    useAppStore.getState().applyStatus(status);
    if (status.state === 'unlocked') void useAppStore.getState().loadNetwork();
  });
  api.onNetStatus((state) => useAppStore.getState().applyNetState(state));
  api.onMessagesChanged(({ conversationId }) => void useAppStore.getState().refreshMessages(conversationId));
  api.onConversationsChanged(() => void useAppStore.getState().loadConversations());
  api.onContactsChanged(() => void useAppStore.getState().loadContacts());
  api.onFileProgress((p) => useAppStore.getState().applyFileProgress(p));
  api.onFileChanged((c) => useAppStore.getState().applyFileChanged(c));
  // A parley:// invite link opened the desktop app: Add contact shows it once unlocked.
  api.onOpenInvite((link) => useAppStore.getState().openInvite(link));
  let openedBefore = api.connectionState() === 'open';
  api.onConnectionChange((state) => {
    const current = useAppStore.getState();
    current.setConnection(state);
    if (state !== 'open') return;
    // A start-up that failed because the core was not there yet recovers by itself;
    // after a reconnect, events sent while the socket was down are lost, so re-read the state.
    if (current.phase === 'failed') void current.start();
    else if (current.phase === 'ready' && openedBefore) void current.refreshStatus();
    openedBefore = true;
  });
  void store.start();
}

bootstrap();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
