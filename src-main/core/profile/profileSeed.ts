import type { ProfileRepositories } from '../store/profileRepositories';

/**
 * A profile created for a linked device (issue 18, docs/protocol.md §13.5):
 * it carries the person's identity PUBLIC key only (the identity private key
 * never leaves device 0, §13.2; the row's private key is empty), and its
 * first rows (the device list, this device's keys, contacts, settings, the
 * conversation list) are written by `fill` in the transaction that creates
 * the database, before the header makes the profile exist: a crash leaves no
 * half-linked profile.
 */
export interface ProfileSeed {
  identityPublicKey: Uint8Array;
  fill(repos: ProfileRepositories): void;
}

/** The identity row of a linked device: the public key, no private key. */
export function linkedIdentity(seed: ProfileSeed): { publicKey: Uint8Array; privateKey: Uint8Array } {
  return { publicKey: seed.identityPublicKey, privateKey: new Uint8Array(0) };
}
