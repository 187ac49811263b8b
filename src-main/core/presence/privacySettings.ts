import { z } from 'zod';
import type { Store } from '../store/store';

/**
 * Privacy & network settings (issue #5), one JSON object under the
 * `privacy` key of the `settings` table:
 * - discoverable: announce and answer mDNS, and tell nearby peers our name
 *   (hello). Off: no mDNS socket at all (net/mdnsSwitch.ts).
 * - invisible: contacts see us offline, with the last-seen of when we turned
 *   it on; we still send, receive and relay.
 * - relayForContacts: this device holds store-and-forward envelopes for
 *   contacts (each contact's own `relay_for` still applies). Off: it holds
 *   for nobody.
 * Unknown or damaged stored values fall back to the defaults key by key, so a
 * newer build's extra keys or a hand-edited row never stop the app.
 */

export const PrivacySettings = z.object({
  discoverable: z.boolean(),
  invisible: z.boolean(),
  relayForContacts: z.boolean(),
});
export type PrivacySettings = z.infer<typeof PrivacySettings>;

export const DEFAULT_PRIVACY: PrivacySettings = {
  discoverable: true,
  invisible: false,
  relayForContacts: true,
};

/** The settings-table key the privacy object is stored under. */
export const PRIVACY_SETTING_KEY = 'privacy';
const KEY = PRIVACY_SETTING_KEY;

export function readPrivacy(repos: Pick<Store, 'settings'>): PrivacySettings {
  const value = repos.settings.get(KEY);
  if (value === null) return { ...DEFAULT_PRIVACY };
  let stored: unknown;
  try {
    stored = JSON.parse(value);
  } catch {
    return { ...DEFAULT_PRIVACY };
  }
  const out = { ...DEFAULT_PRIVACY };
  if (typeof stored === 'object' && stored !== null) {
    for (const key of Object.keys(DEFAULT_PRIVACY) as (keyof PrivacySettings)[]) {
      const value = (stored as Record<string, unknown>)[key];
      if (typeof value === 'boolean') out[key] = value;
    }
  }
  return out;
}

/** Writes the changed keys; returns the whole new settings object. */
export function writePrivacy(
  repos: Pick<Store, 'settings' | 'tx'>,
  patch: Partial<PrivacySettings>,
): PrivacySettings {
  return repos.tx.run(() => {
    const next = { ...readPrivacy(repos), ...patch };
    repos.settings.set(KEY, JSON.stringify(next));
    return next;
  });
}
