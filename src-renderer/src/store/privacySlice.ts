import type { StateCreator } from 'zustand';
import type { NearbyPeerView } from '../../../src-shared/contract/areas/nearby';
import type { ContactPresenceView } from '../../../src-shared/contract/areas/presence';
import type { OwnProfileView } from '../../../src-shared/contract/areas/profile';
import type { PrivacySettingsView } from '../../../src-shared/contract/areas/settings';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/** Privacy & network settings, the own profile card, people nearby and contacts' presence (issue #5). */
export interface PrivacySlice {
  privacy: PrivacySettingsView | null;
  privacyError: string | null;
  ownProfile: OwnProfileView | null;
  profileError: string | null;
  profileSaving: boolean;
  /** The last save went through (the form is rebuilt from the new card, so this lives here). */
  profileSaved: boolean;
  nearby: NearbyPeerView[];
  /** Presence, status and picture by contact id. */
  presence: Record<number, ContactPresenceView>;
  loadPrivacy(): Promise<void>;
  setPrivacy(change: Partial<PrivacySettingsView>): Promise<void>;
  applyPrivacy(privacy: PrivacySettingsView): void;
  loadOwnProfile(): Promise<void>;
  /** Saves a change; returns true when it was taken (errors land in profileError). */
  updateOwnProfile(change: {
    displayName?: string;
    statusText?: string;
    avatar?: string | null;
  }): Promise<boolean>;
  applyOwnProfile(profile: OwnProfileView): void;
  loadNearby(): Promise<void>;
  /** Sends a contact request; resolves to an error message, or null when sent. */
  requestNearbyContact(peerId: string, message: string): Promise<string | null>;
  loadPresence(): Promise<void>;
  // The watchers keep what a screen shows current while it is mounted: each loads now, again on
  // the core's event, and returns the unsubscribe for the component's effect cleanup.
  /** The privacy switches (settings.changed). */
  watchPrivacy(): () => void;
  /** The own profile card (profile.updated, also from another window). */
  watchOwnProfile(): () => void;
  /** People nearby (nearby.changed). */
  watchNearby(): () => void;
  /** Contacts' presence, status and picture (presence.changed; a new card arrives as contacts.changed). */
  watchPresence(): () => void;
}

export const createPrivacySlice: StateCreator<AppState, [], [], PrivacySlice> = (set, get) => {
  /** The header and Settings show the session's name: follow a rename made on the card. */
  function followName(profile: OwnProfileView): void {
    const status = get().status;
    if (status && status.displayName !== profile.displayName) {
      set({ status: { ...status, displayName: profile.displayName } });
    }
  }
  return {
    privacy: null,
    privacyError: null,
    ownProfile: null,
    profileError: null,
    profileSaving: false,
    profileSaved: false,
    nearby: [],
    presence: {},
    async loadPrivacy() {
      try {
        const { privacy } = await api.privacySettings();
        set({ privacy, privacyError: null });
      } catch (err) {
        set({ privacyError: toErrorPayload(err).message });
      }
    },
    async setPrivacy(change) {
      const before = get().privacy;
      // Show the switch moved at once; put it back if the core refuses.
      if (before) set({ privacy: { ...before, ...change } });
      try {
        const { privacy } = await api.setPrivacySettings(change);
        set({ privacy, privacyError: null });
      } catch (err) {
        set({ privacy: before, privacyError: toErrorPayload(err).message });
      }
    },
    applyPrivacy(privacy) {
      set({ privacy });
    },
    async loadOwnProfile() {
      try {
        set({ ownProfile: await api.ownProfile(), profileError: null });
      } catch (err) {
        set({ profileError: toErrorPayload(err).message });
      }
    },
    async updateOwnProfile(change) {
      set({ profileSaving: true, profileSaved: false, profileError: null });
      try {
        const ownProfile = await api.updateOwnProfile(change);
        set({ ownProfile, profileSaving: false, profileSaved: true });
        followName(ownProfile);
        return true;
      } catch (err) {
        set({ profileError: toErrorPayload(err).message, profileSaving: false });
        return false;
      }
    },
    applyOwnProfile(ownProfile) {
      set({ ownProfile });
      followName(ownProfile);
    },
    async loadNearby() {
      try {
        set({ nearby: await api.nearby() });
      } catch {
        set({ nearby: [] });
      }
    },
    async requestNearbyContact(peerId, message) {
      try {
        await api.requestNearbyContact(peerId, message);
        await get().loadNearby();
        return null;
      } catch (err) {
        return toErrorPayload(err).message;
      }
    },
    async loadPresence() {
      try {
        const list = await api.presence();
        set({ presence: Object.fromEntries(list.map((p) => [p.contactId, p])) });
      } catch {
        // Locked or offline: keep what we had; the next event reloads it.
      }
    },
    watchPrivacy() {
      void get().loadPrivacy();
      return api.onPrivacyChanged(({ privacy }) => get().applyPrivacy(privacy));
    },
    watchOwnProfile() {
      void get().loadOwnProfile();
      return api.onOwnProfileUpdated((profile) => get().applyOwnProfile(profile));
    },
    watchNearby() {
      void get().loadNearby();
      return api.onNearbyChanged(() => void get().loadNearby());
    },
    watchPresence() {
      void get().loadPresence();
      const offPresence = api.onPresenceChanged(() => void get().loadPresence());
      const offContacts = api.onContactsChanged(() => void get().loadPresence());
      return () => {
        offPresence();
        offContacts();
      };
    },
  };
};
