import type { StateCreator } from 'zustand';
import type { ContactRequestView, ContactView, NetState } from '../../../src-preload/contract';
import { api } from '../api/client';
import type { AppState } from './appStore';

export interface NetworkSlice {
  /** The peer network as the core reports it; null until first read. */
  net: (NetState & { enabled: boolean }) | null;
  /** This device's PeerId (its device key), null while networking is off. */
  peerId: string | null;
  contacts: ContactView[];
  contactRequests: ContactRequestView[];
  /** Reads network state, contacts and pending requests (after unlock, after a reconnect). */
  loadNetwork(): Promise<void>;
  applyNetState(state: NetState): void;
  loadContacts(): Promise<void>;
}

export const createNetworkSlice: StateCreator<AppState, [], [], NetworkSlice> = (set, get) => ({
  net: null,
  peerId: null,
  contacts: [],
  contactRequests: [],
  async loadNetwork() {
    try {
      const status = await api.netStatus();
      // A core with networking has a PeerId even while it is still looking for peers.
      set({
        net: { state: status.state, peers: status.peers, enabled: status.peerId !== null },
        peerId: status.peerId,
      });
    } catch {
      set({ net: null, peerId: null });
    }
    await get().loadContacts();
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
});
