import type { StateCreator } from 'zustand';
import type { Reply } from '../../../src-shared/contract';
import {
  HOST_CHUNK_BYTES,
  type HostFile,
  type HostTarget,
  type OpenPurpose,
  type StartAtLogin,
} from '../../../src-shared/contract/areas/host';
import { api, toErrorPayload } from '../api/client';
import { fromBase64 } from '../features/files/fileFormat';
import type { AppState } from './appStore';
import { toReply } from './toReply';

/**
 * What the desktop app's shell offers (contract/areas/host.ts): native open
 * and folder dialogs, which give handles instead of paths, a chosen file's
 * bytes read through the core, and starting Parley at login.
 */
export interface HostSlice {
  /** As the OS has it (login items, an autostart entry); null until read, or when it could not be. */
  startAtLogin: StartAtLogin | null;
  startAtLoginBusy: boolean;
  /** Why the last change failed, until the next one or the next read. */
  startAtLoginError: string | null;
  loadStartAtLogin(): Promise<void>;
  setStartAtLogin(enabled: boolean): Promise<void>;
  /** The native open dialog: the files chosen, none when cancelled. */
  pickFiles(purpose: OpenPurpose): Promise<Reply<HostFile[]>>;
  /** The native folder dialog (for scheduled backups): the folder chosen, null when cancelled. */
  pickFolder(): Promise<Reply<HostTarget | null>>;
  /** A chosen file's bytes, read through the core piece by piece. */
  readHostFile(file: HostFile): Promise<Reply<File>>;
}

export const createHostSlice: StateCreator<AppState, [], [], HostSlice> = (set, get) => ({
  startAtLogin: null,
  startAtLoginBusy: false,
  startAtLoginError: null,
  async loadStartAtLogin() {
    try {
      // A failure shown before belongs to the settings screen that was open then.
      set({ startAtLogin: await api.startAtLogin(), startAtLoginError: null });
    } catch {
      // Not offered where it cannot be read (the web shell, an OS without the API).
      set({ startAtLogin: null });
    }
  },
  async setStartAtLogin(enabled) {
    if (get().startAtLoginBusy) return;
    set({ startAtLoginBusy: true, startAtLoginError: null });
    try {
      set({ startAtLogin: await api.setStartAtLogin(enabled) });
    } catch (err) {
      set({ startAtLoginError: toErrorPayload(err).message });
    } finally {
      set({ startAtLoginBusy: false });
    }
  },
  pickFiles: (purpose) => toReply(api.pickFiles(purpose)),
  pickFolder: () => toReply(api.pickFolder()),
  readHostFile: (file) =>
    toReply(
      (async () => {
        const parts: Uint8Array<ArrayBuffer>[] = [];
        for (let offset = 0; offset < file.size;) {
          const { data, eof } = await api.readHostFile(file.handle, offset, HOST_CHUNK_BYTES);
          const bytes = fromBase64(data);
          parts.push(bytes);
          offset += bytes.length;
          if (eof || bytes.length === 0) break;
        }
        return new File(parts, file.name);
      })(),
    ),
});
