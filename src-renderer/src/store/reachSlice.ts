import type { StateCreator } from 'zustand';
import type { RequestParams } from '../../../src-shared/contract';
import type { NetworkReachView } from '../../../src-shared/contract/areas/network';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/** Settings → Network (issue 19): how this device is reached, the relays it uses, the relay and UPnP switches. */
export interface ReachSlice {
  reach: NetworkReachView | null;
  reachError: string | null;
  loadReach(): Promise<void>;
  /**
   * Saves reach settings. Returns null when the core took them, else why not
   * (a public address that is none), for the form to show at its field; a
   * refused switch goes back and its reason is in `reachError`.
   */
  setReach(change: RequestParams<'network.setReach'>): Promise<string | null>;
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
    // Show a switch moved at once; put it back if the core refuses.
    const { relayForContacts, upnp } = change;
    if (before)
      set({
        reach: {
          ...before,
          ...(relayForContacts === undefined ? {} : { relayForContacts }),
          ...(upnp === undefined ? {} : { upnp }),
        },
      });
    const isSwitch = relayForContacts !== undefined || upnp !== undefined;
    try {
      set({ reach: await api.setNetworkReach(change), reachError: null });
      return null;
    } catch (err) {
      const { message } = toErrorPayload(err);
      set({ reach: before, ...(isSwitch ? { reachError: message } : {}) });
      return message;
    }
  },
  watchReach() {
    void get().loadReach();
    return api.onNetworkChanged(() => void get().loadReach());
  },
});
