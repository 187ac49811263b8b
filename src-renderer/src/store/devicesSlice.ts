import type { StateCreator } from 'zustand';
import type {
  DevicesView,
  HistoryProgressEvent,
  ThisDeviceView,
} from '../../../src-shared/contract/areas/devices';
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
  /** This device's standing: removed from the person's devices or not (null until loaded). */
  thisDevice: ThisDeviceView | null;
  /** Loads now and again when this device is told it was removed. */
  watchThisDevice(): () => void;
  /** Names an own device ('' clears); the core's error message for the caller to show, or null. */
  renameDevice(peerId: string, name: string): Promise<string | null>;
  /** Removes another own device (§13.8); the error message, or null. */
  removeDevice(peerId: string): Promise<string | null>;
  /** "Unlink this device"; the error message, or null. */
  unlinkThisDevice(): Promise<string | null>;
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
  thisDevice: null,
  watchThisDevice() {
    const load = async () => {
      try {
        set({ thisDevice: await api.thisDevice() });
      } catch {
        // Locked meanwhile: the next unlock loads it again.
      }
    };
    void load();
    return api.onThisDeviceRemoved(() => void load());
  },
  async renameDevice(peerId, name) {
    try {
      set({ ownDevices: await api.renameDevice(peerId, name), ownDevicesError: null });
      return null;
    } catch (err) {
      return toErrorPayload(err).message;
    }
  },
  async removeDevice(peerId) {
    try {
      set({ ownDevices: await api.removeDevice(peerId), ownDevicesError: null });
      return null;
    } catch (err) {
      return toErrorPayload(err).message;
    }
  },
  async unlinkThisDevice() {
    try {
      set({ thisDevice: await api.unlinkThisDevice() });
      return null;
    } catch (err) {
      return toErrorPayload(err).message;
    }
  },
  watchContactDevices(contactId) {
    void get().loadContactDevices(contactId);
    return api.onDevicesChanged((changed) => {
      if (changed === contactId) void get().loadContactDevices(contactId);
    });
  },
});
