import type { InitialSetting } from '../profile/profileService';
import { DEFAULT_PRIVACY, PRIVACY_SETTING_KEY, type PrivacySettings } from './privacySettings';

/**
 * The privacy row a new profile starts with. "Discoverable on this network"
 * broadcasts the display name to everyone on the LAN, which privacy-minded
 * people do not expect, so a new profile is discoverable only when the person
 * said yes at onboarding (issue 17 item 17). Profiles created before that keep
 * the old default (no stored row reads as discoverable, `DEFAULT_PRIVACY`), so
 * nobody who relied on Nearby loses it silently. Contacts still find each
 * other on the LAN by their beacons either way (net/lanBeacon.ts).
 */
export function initialPrivacy(choice: Pick<PrivacySettings, 'discoverable'>): InitialSetting {
  return {
    key: PRIVACY_SETTING_KEY,
    value: JSON.stringify({ ...DEFAULT_PRIVACY, discoverable: choice.discoverable }),
  };
}
