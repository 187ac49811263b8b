import type { SafeStorage } from 'electron';
import type { Keychain } from '../core/profile/keychain';

/** The part of Electron's safeStorage used here (and faked in tests). */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/**
 * Linux backends that protect nothing: `basic_text` encrypts with a password
 * hard-coded in Chromium, and `unknown` means safeStorage was asked before
 * `ready`. Remembering the data key with either would leave it readable by
 * anyone who copies the profile, so the option is not offered.
 */
const WEAK_LINUX_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown']);

/**
 * "Remember on this device" over Electron's safeStorage (Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux). safeStorage seals strings, so
 * the secret travels as base64.
 */
export function safeStorageKeychain(storage: SafeStorageLike, platform: NodeJS.Platform): Keychain {
  return {
    isAvailable() {
      if (!storage.isEncryptionAvailable()) return false;
      return platform !== 'linux' || !WEAK_LINUX_BACKENDS.has(storage.getSelectedStorageBackend());
    },
    seal(secret) {
      return storage.encryptString(secret.toString('base64'));
    },
    open(sealed) {
      const text = storage.decryptString(sealed);
      const secret = Buffer.from(text, 'base64');
      // Buffer.from ignores bad characters; a blob that does not round-trip is not ours.
      if (secret.toString('base64') !== text)
        throw new Error('The keychain returned something that is not a sealed secret.');
      return secret;
    },
  };
}
