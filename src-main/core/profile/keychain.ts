/**
 * The OS keychain, as the core sees it. Electron main passes an adapter over
 * safeStorage (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on
 * Linux); shells without one pass nothing and "remember on this device" is
 * simply not offered. The core never imports electron (DESIGN.md §1 rule 1).
 */
export interface Keychain {
  /** False when the OS has no protected storage; then nothing is remembered. */
  isAvailable(): boolean;
  /** Encrypts a secret so only this OS user on this machine can read it back. */
  seal(secret: Buffer): Buffer;
  /** Throws when the blob cannot be opened (other machine, keyring reset). */
  open(sealed: Buffer): Buffer;
}
