import type { StateCreator } from 'zustand';
import type { NetworkReachView } from '../../../src-shared/contract/areas/network';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/** Settings → Network (issue 19): how this device is reached, the relays it uses, the relay and UPnP switches. */
export interface ReachSlice {
  reach: NetworkReachView | null;
  reachError: string | null;
  loadReach(): Promise<void>;
  setReach(change: { relayForContacts?: boolean; upnp?: boolean }): Promise<void>;
  /** Loads now and again on `network.changed`; returns the unsubscribe for the effect cleanup. */
  watchReach(): () => void;
}

export const createReachSlice: StateCreator<AppState, [], [], ReachSlice> = (set, get) => ({
  reach: null,
  reachError: null,
  async loadReach() {
    try {
      set({ reach: await api.networkReach(), reachError: null });
    } catch (err) {
      set({ reachError: toErrorPayload(err).message });
    }
  },
  async setReach(change) {
    const before = get().reach;
    // Show the switch moved at once; put it back if the core refuses.
    if (before) set({ reach: { ...before, ...change } });
    try {
      set({ reach: await api.setNetworkReach(change), reachError: null });
    } catch (err) {
      set({ reach: before, reachError: toErrorPayload(err).message });
    }
  },
  watchReach() {
    void get().loadReach();
    return api.onNetworkChanged(() => void get().loadReach());
  },
});
