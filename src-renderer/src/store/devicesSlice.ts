import type { StateCreator } from 'zustand';
import type { DevicesView, HistoryProgressEvent } from '../../../src-shared/contract/areas/devices';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/** Settings → Devices and each contact's devices (issue 18): what the stored device lists say. */
export interface DevicesSlice {
  ownDevices: DevicesView | null;
  ownDevicesError: string | null;
  /** By contact id; absent until first loaded. */
  contactDevices: Record<number, DevicesView>;
  loadOwnDevices(): Promise<void>;
  loadContactDevices(contactId: number): Promise<void>;
  /** Loads now and again when the own list changes; returns the unsubscribe for the effect cleanup. */
  watchOwnDevices(): () => void;
  /** Loads a contact's devices now and when their list changes or forks. */
  watchContactDevices(contactId: number): () => void;
  /** The history arriving on this newly linked device (§13.7), as last reported; null: none. */
  historyProgress: HistoryProgressEvent | null;
  applyHistoryProgress(progress: HistoryProgressEvent): void;
  dismissHistoryProgress(): void;
}

export const createDevicesSlice: StateCreator<AppState, [], [], DevicesSlice> = (set, get) => ({
  ownDevices: null,
  ownDevicesError: null,
  contactDevices: {},
  historyProgress: null,
  applyHistoryProgress(progress) {
    set({ historyProgress: progress });
  },
  dismissHistoryProgress() {
    set({ historyProgress: null });
  },
  async loadOwnDevices() {
    try {
      set({ ownDevices: await api.ownDevices(), ownDevicesError: null });
    } catch (err) {
      set({ ownDevicesError: toErrorPayload(err).message });
    }
  },
  async loadContactDevices(contactId) {
    try {
      const view = await api.contactDevices(contactId);
      set({ contactDevices: { ...get().contactDevices, [contactId]: view } });
    } catch {
      // A contact removed meanwhile: nothing to show.
    }
  },
  watchOwnDevices() {
    void get().loadOwnDevices();
    return api.onDevicesChanged((contactId) => {
      if (contactId === null) void get().loadOwnDevices();
    });
  },
  watchContactDevices(contactId) {
    void get().loadContactDevices(contactId);
    return api.onDevicesChanged((changed) => {
      if (changed === contactId) void get().loadContactDevices(contactId);
    });
  },
});
