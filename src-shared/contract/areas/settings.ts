import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/** Privacy & network settings (issue #6 item 5): discoverable, invisible, relay for contacts. */

/** Privacy & network settings; every key is on/off and has a default (discoverable, relay on). */
export const PrivacySettingsView = z.object({
  /** Announce and answer mDNS, and show our name to people nearby. */
  discoverable: z.boolean(),
  /** Contacts see us offline (we still send, receive and relay). */
  invisible: z.boolean(),
  /** This device holds messages for contacts who are offline. */
  relayForContacts: z.boolean(),
});
export type PrivacySettingsView = z.infer<typeof PrivacySettingsView>;

export const SettingsView = z.object({ privacy: PrivacySettingsView });
export type SettingsView = z.infer<typeof SettingsView>;

export const settingsRequests = {
  /** Privacy & network settings. */
  'settings.get': { params: z.object({}).strict(), result: SettingsView },
  /** Changes some settings; applied at once (mDNS on/off, presence pushed to contacts). */
  'settings.set': {
    params: z.object({ privacy: PrivacySettingsView.partial().strict() }).strict(),
    result: SettingsView,
  },
} as const satisfies RequestTable;

export const settingsEvents = {
  /** Privacy & network settings changed (from any window). */
  'settings.changed': SettingsView,
} as const satisfies EventTable;
