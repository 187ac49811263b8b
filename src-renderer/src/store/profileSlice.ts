import type { StateCreator } from 'zustand';
import type { ErrorPayload } from '../../../src-shared/contract';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

export type ProfileAction =
  'create' | 'unlock' | 'unlockDevice' | 'lock' | 'changePassphrase' | 'remember' | 'delete';

/** The profile's lifecycle actions, with one busy flag and one error for whichever ran last. */
export interface ProfileSlice {
  busy: ProfileAction | null;
  error: (ErrorPayload & { action: ProfileAction }) | null;
  /** Each action resolves to whether it succeeded; the error is in `error`, never thrown. */
  /** `discoverable`: the onboarding's answer to "let people on this network find you" (off unless chosen). */
  createProfile(displayName: string, passphrase: string, discoverable: boolean): Promise<boolean>;
  unlockProfile(passphrase: string): Promise<boolean>;
  /** "Unlock with this device": the key the OS keychain remembers. */
  unlockWithDevice(): Promise<boolean>;
  lockProfile(): Promise<boolean>;
  changePassphrase(current: string, next: string): Promise<boolean>;
  setRemember(remember: boolean): Promise<boolean>;
  /**
   * "Delete this profile" on a removed device (issue 18, §13.8 step 4), `confirm` being the typed
   * name; `thenLink`: "Link again", so onboarding opens on "I already use Parley".
   */
  deleteProfile(confirm: string, thenLink: boolean): Promise<boolean>;
  /** Onboarding opens on "I already use Parley" (set by "Link again"); cleared when it is left. */
  onboardingJoin: boolean;
  setOnboardingJoin(join: boolean): void;
  clearError(): void;
}

export const createProfileSlice: StateCreator<AppState, [], [], ProfileSlice> = (set, get) => {
  async function run(
    action: ProfileAction,
    work: () => ReturnType<typeof api.profileStatus>,
  ): Promise<boolean> {
    // One at a time: a double Enter must not derive the key twice.
    if (get().busy) return false;
    set({ busy: action, error: null });
    try {
      const status = await work();
      set({ busy: null });
      get().applyStatus(status);
      return true;
    } catch (err) {
      set({ busy: null, error: { ...toErrorPayload(err), action } });
      return false;
    }
  }

  return {
    busy: null,
    error: null,
    createProfile: (displayName, passphrase, discoverable) =>
      run('create', () => api.createProfile(displayName, passphrase, discoverable)),
    unlockProfile: (passphrase) => run('unlock', () => api.unlockProfile(passphrase)),
    unlockWithDevice: () => run('unlockDevice', () => api.unlockWithDevice()),
    lockProfile: () => run('lock', () => api.lockProfile()),
    changePassphrase: (current, next) => run('changePassphrase', () => api.changePassphrase(current, next)),
    setRemember: (remember) => run('remember', () => api.setRemember(remember)),
    deleteProfile: async (confirm, thenLink) => {
      // Before the status arrives: the onboarding it brings opens on the right screen at once.
      set({ onboardingJoin: thenLink });
      const done = await run('delete', async () => {
        const status = await api.deleteProfile(confirm);
        // The removed device's standing belonged to the deleted profile.
        set({ thisDevice: null });
        return status;
      });
      if (!done) set({ onboardingJoin: false });
      return done;
    },
    onboardingJoin: false,
    setOnboardingJoin: (join) => set({ onboardingJoin: join }),
    clearError: () => set({ error: null }),
  };
};
