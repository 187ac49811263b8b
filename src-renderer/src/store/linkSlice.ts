import type { StateCreator } from 'zustand';
import type { JoinStatusView, LinkStatusView } from '../../../src-shared/contract/areas/devices';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/**
 * Linking a device (issue 18, docs/protocol.md §13.5): "Link a new device"
 * on the device in use (`link…`) and "I already use Parley" on a new install
 * (`join…`). The core keeps the state; these mirror it from the replies and
 * the progress events, and keep the last request's error.
 */
export interface LinkSlice {
  link: LinkStatusView | null;
  linkError: string | null;
  /** Shows a new code (ending any other); follows its progress until the returned unsubscribe. */
  watchLink(): () => void;
  confirmLink(match: boolean): Promise<void>;
  cancelLink(): Promise<void>;
  join: JoinStatusView | null;
  joinError: string | null;
  /** Follows "I already use Parley" until the returned unsubscribe. */
  watchJoin(): () => void;
  startJoin(params: { code: string; passphrase: string; deviceName?: string }): Promise<void>;
  /** `withFiles`: "Copy history with files", answered with the short code. */
  confirmJoin(match: boolean, withFiles?: boolean): Promise<void>;
  cancelJoin(): Promise<void>;
  clearJoinError(): void;
}

export const createLinkSlice: StateCreator<AppState, [], [], LinkSlice> = (set) => {
  const linkCall = async (work: () => Promise<LinkStatusView>) => {
    try {
      set({ link: await work(), linkError: null });
    } catch (err) {
      set({ linkError: toErrorPayload(err).message });
    }
  };
  const joinCall = async (work: () => Promise<JoinStatusView>) => {
    try {
      set({ join: await work(), joinError: null });
    } catch (err) {
      set({ joinError: toErrorPayload(err).message });
    }
  };
  return {
    link: null,
    linkError: null,
    watchLink() {
      set({ link: null, linkError: null });
      const off = api.onLinkProgress((s) => set({ link: s }));
      void linkCall(() => api.linkCode());
      return off;
    },
    confirmLink: (match) => linkCall(() => api.confirmLinkSas(match)),
    cancelLink: () => linkCall(() => api.cancelLink()),
    join: null,
    joinError: null,
    watchJoin: () => api.onJoinProgress((s) => set({ join: s })),
    startJoin: (params) => joinCall(() => api.joinStart(params)),
    confirmJoin: (match, withFiles) => joinCall(() => api.joinConfirmSas(match, withFiles)),
    cancelJoin: () => joinCall(() => api.joinCancel()),
    clearJoinError: () => set({ joinError: null }),
  };
};
