import type { StoreApi } from 'zustand';
import { api } from '../api/client';
import type { AppState } from './appStore';

/**
 * Wires the core's window-wide events into the store, once for the window's
 * life (main.tsx calls it before the first render; in a component, StrictMode
 * or a remount would subscribe twice). Events that matter only while a screen
 * shows something are watched by that screen (the slices' `watch…` actions).
 * Returns the unsubscribe.
 */
export function followCoreEvents(store: Pick<StoreApi<AppState>, 'getState'>): () => void {
  const state = () => store.getState();
  // Only a reopen can have missed events; the first open is the start itself.
  let openedBefore = api.connectionState() === 'open';
  const offs = [
    api.onProfileChanged((status) => {
      state().applyStatus(status);
      if (status.state === 'unlocked') void state().loadNetwork();
    }),
    api.onNetStatus((net) => state().applyNetState(net)),
    api.onMessagesChanged(({ conversationId }) => void state().refreshMessages(conversationId)),
    api.onConversationsChanged(() => void state().loadConversations()),
    api.onContactsChanged(() => void state().loadContacts()),
    api.onFileProgress((p) => state().applyFileProgress(p)),
    api.onFileChanged((c) => state().applyFileChanged(c)),
    // Issue 18: the history coming to this newly linked device, shown over the home screen.
    api.onHistoryProgress((p) => state().applyHistoryProgress(p)),
    // A parley:// invite link opened the desktop app: Add contact shows it once unlocked.
    api.onOpenInvite((link) => state().openInvite(link)),
    api.onConnectionChange((connection) => {
      const current = state();
      current.setConnection(connection);
      if (connection !== 'open') return;
      // A start-up that failed because the core was not there yet recovers by itself;
      // after a reconnect, events sent while the socket was down are lost, so re-read the state.
      if (current.phase === 'failed') void current.start();
      else if (current.phase === 'ready' && openedBefore) void current.refreshStatus();
      openedBefore = true;
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
