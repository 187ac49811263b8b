import type { StateCreator } from 'zustand';
import type {
  ContactRequestView,
  ContactView,
  ErrorPayload,
  NetState,
  NetStatus,
} from '../../../src-shared/contract';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

export interface NetworkSlice {
  /** The peer network as the core reports it; null until first read. */
  net: (NetState & { enabled: boolean }) | null;
  /** This device's PeerId (its device key), null while networking is off. */
  peerId: string | null;
  contacts: ContactView[];
  contactRequests: ContactRequestView[];
  /** "Go online" is starting the node. */
  goingOnline: boolean;
  /** Why the last "Go online" failed, until the next try. */
  goOnlineError: ErrorPayload | null;
  /** Reads network state, contacts and pending requests (after unlock, after a reconnect). */
  loadNetwork(): Promise<void>;
  /** Starts networking when it is off (the status bar's "Go online"). */
  goOnline(): Promise<void>;
  applyNetState(state: NetState): void;
  loadContacts(): Promise<void>;
}

export const createNetworkSlice: StateCreator<AppState, [], [], NetworkSlice> = (set, get) => {
  // A core with networking has a PeerId even while it is still looking for peers.
  const applyStatus = (status: NetStatus) =>
    set({
      net: { state: status.state, peers: status.peers, enabled: status.peerId !== null },
      peerId: status.peerId,
    });
  return {
    net: null,
    peerId: null,
    contacts: [],
    contactRequests: [],
    goingOnline: false,
    goOnlineError: null,
    async loadNetwork() {
      try {
        applyStatus(await api.netStatus());
      } catch {
        set({ net: null, peerId: null });
      }
      await get().loadContacts();
    },
    async goOnline() {
      if (get().goingOnline) return;
      set({ goingOnline: true, goOnlineError: null });
      try {
        applyStatus(await api.goOnline());
        await get().loadContacts();
      } catch (err) {
        set({ goOnlineError: toErrorPayload(err) });
      } finally {
        set({ goingOnline: false });
      }
    },
    applyNetState(state) {
      set({ net: { ...state, enabled: state.state !== 'offline' || (get().net?.enabled ?? false) } });
    },
    async loadContacts() {
      try {
        const contacts = await api.contacts();
        const requests = get().net?.enabled ? await api.contactRequests() : [];
        set({ contacts, contactRequests: requests });
      } catch {
        // Locked or offline: the lists stay as they were; the next event reloads them.
      }
    },
  };
};
