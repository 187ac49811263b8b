import { z } from 'zod';
import { DISPLAY_NAME_MAX_LENGTH, PASSPHRASE_MAX_LENGTH } from '../passphrase';
import type { EventTable, RequestTable } from './table';

/**
 * The profile on this device: create, unlock (passphrase or the OS keychain),
 * lock, change the passphrase; and the profile card contacts see (name,
 * status, picture; issue #6 item 5).
 */

const Empty = z.object({}).strict();

export const ProfileState = z.enum(['none', 'locked', 'unlocked', 'damaged']);
export type ProfileState = z.infer<typeof ProfileState>;

export const ProfileStatus = z.object({
  state: ProfileState,
  /** Only while unlocked: the name is stored inside the encrypted database. */
  displayName: z.string().optional(),
  /** When damaged, or a problem found after unlocking: what is wrong and what to do. */
  problem: z.string().optional(),
  /** The OS keychain can remember this profile on this device (Electron with a keyring). */
  canRemember: z.boolean().optional(),
  /** This device remembers the profile: it unlocks without the passphrase. */
  remembered: z.boolean().optional(),
});
export type ProfileStatus = z.infer<typeof ProfileStatus>;

const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter a display name.')
  .max(DISPLAY_NAME_MAX_LENGTH, `Use at most ${DISPLAY_NAME_MAX_LENGTH} characters.`)
  .refine((s) => !/\p{Cc}/u.test(s), 'Control characters are not allowed in a name.');

const Passphrase = z.string().min(1).max(PASSPHRASE_MAX_LENGTH);

export const PROFILE_NAME_MAX_LENGTH = 64;
export const PROFILE_STATUS_MAX_LENGTH = 140;
/** 64 KB of picture as base64. */
export const PROFILE_AVATAR_MAX_BASE64 = Math.ceil((64 * 1024 * 4) / 3) + 4;

export const OwnProfileView = z.object({
  displayName: z.string(),
  statusText: z.string(),
  /** A data: URL, or null. */
  avatar: z.string().nullable(),
  version: z.number().int(),
});
export type OwnProfileView = z.infer<typeof OwnProfileView>;

export const profileRequests = {
  /** Whether a profile exists and whether it is unlocked. */
  'profile.status': { params: Empty, result: ProfileStatus },
  /**
   * Creates the profile: keys, encrypted database; leaves it unlocked.
   * `discoverable` is the onboarding's answer to "let people on this network
   * find you by name"; absent means no (issue 17: off unless chosen).
   */
  'profile.create': {
    params: z
      .object({ displayName: DisplayName, passphrase: Passphrase, discoverable: z.boolean().optional() })
      .strict(),
    result: ProfileStatus,
  },
  /** Derives the key from the passphrase and opens the database; optionally remembers it on this device. */
  'profile.unlock': {
    params: z.object({ passphrase: Passphrase, remember: z.boolean().optional() }).strict(),
    result: ProfileStatus,
  },
  /** Unlocks with the key the OS keychain keeps for this device ("remember on this device"). */
  'profile.unlockWithDevice': { params: Empty, result: ProfileStatus },
  /** Turns "remember on this device" on or off (needs the profile unlocked). */
  'profile.setRemember': { params: z.object({ remember: z.boolean() }).strict(), result: ProfileStatus },
  /** Re-wraps the database key under a new passphrase; the old one stops working. */
  'profile.changePassphrase': {
    params: z.object({ current: Passphrase, next: Passphrase }).strict(),
    result: ProfileStatus,
  },
  /** Closes the database and forgets the key. */
  'profile.lock': { params: Empty, result: ProfileStatus },
  /**
   * Deletes this profile from this computer after a typed confirmation
   * (`confirm`: the profile's display name), then the app is back at
   * onboarding. Only on a device removed from its person's devices (issue 18,
   * docs/protocol.md §13.8 step 4): an active device unlinks itself first.
   */
  'profile.delete': {
    params: z.object({ confirm: z.string().max(DISPLAY_NAME_MAX_LENGTH * 2) }).strict(),
    result: ProfileStatus,
  },
  /** The user's own profile card. */
  'profile.get': { params: Empty, result: OwnProfileView },
  /** Changes name, status and/or picture (base64 PNG/JPEG/WebP ≤ 64 KB; null removes it) and tells contacts. */
  'profile.update': {
    params: z
      .object({
        displayName: z.string().min(1).max(PROFILE_NAME_MAX_LENGTH).optional(),
        statusText: z.string().max(PROFILE_STATUS_MAX_LENGTH).optional(),
        avatar: z.string().max(PROFILE_AVATAR_MAX_BASE64).nullable().optional(),
      })
      .strict(),
    result: OwnProfileView,
  },
} as const satisfies RequestTable;

export const profileEvents = {
  /** The profile was created, locked or unlocked (from any window or the idle timer). */
  'profile.changed': ProfileStatus,
  /** The own profile card changed. */
  'profile.updated': OwnProfileView,
} as const satisfies EventTable;
