import type { AuthenticationService, ClientConfig, ClientState, Credential } from 'ts-mls';
import {
  decodeAnyDeviceCredential,
  verifyDeviceCredential,
  type AnyDeviceCredential,
} from '../identity/credential';

/**
 * What the MLS layer needs to know of people's device lists (docs/protocol.md
 * §13.3, §13.6) to judge a leaf: which device the `add` entry at a given seq
 * of a person's list names. The lists themselves live above (devices/); this
 * is the view they give to the MLS layer, per device (each verifier judges
 * with what it holds).
 */
export interface DirectoryDevice {
  readonly peerId: string;
  readonly mlsSignatureKey: Uint8Array;
}

export interface DeviceDirectory {
  /**
   * The device added by entry `seq` of this person's stored, verified list;
   * 'missing' when the stored list ends before `seq` (or no list is held);
   * null when the entry at `seq` is not an `add`.
   */
  addedAt(identityKey: Uint8Array, seq: number): DirectoryDevice | 'missing' | null;
  /**
   * The devices active at `head` of this person's list (a head pinned in a
   * group, 0xFA03, which may be older than the one held here); 'missing'
   * when the list held here ends before it; 'other' when the entry held at
   * that seq has another hash (another version of the list: a fork).
   */
  activeAt(identityKey: Uint8Array, head: DirectoryHead): DirectoryDevice[] | 'missing' | 'other';
  /** The head of this person's list as held here, or null when none is held. */
  headOf(identityKey: Uint8Array): DirectoryHead | null;
  /**
   * Some list held here removed this device. Not a group-wide rule (members
   * hold different heads): it stops this device from *committing* an Add of
   * it (commitProposals.ts), whatever the KeyPackage's credential version.
   */
  isRemovedDevice?(peerId: string): boolean;
}

export interface DirectoryHead {
  readonly seq: number;
  readonly hash: Uint8Array;
}

/** Entries a verifier lacked to judge a version 2 credential: fetch them, then retry (§13.6). */
export interface MissingEntries {
  readonly identityKey: Uint8Array;
  readonly seq: number;
}

// ts-mls calls the authentication service with (credential, key) only (RFC
// 9420 §5.3.1 leaves its inputs to the implementation), from deep inside
// processMessage, joinGroup and createCommit. Which verifier is asking is
// known from the state's own leaf (or the joining device): each running
// device registers its directory under its MLS signature key, which is
// unique per device (one key per device, §3), so several profiles in one
// process (tests, the CLI's node) each judge with their own lists.
const directories = new Map<string, DeviceDirectory>();
const keyOf = (k: Uint8Array) => Buffer.from(k).toString('hex');

/** Makes `directory` the view of device lists for the device with this MLS signature key; returns the undo. */
export function registerDeviceDirectory(ownSignatureKey: Uint8Array, directory: DeviceDirectory): () => void {
  const key = keyOf(ownSignatureKey);
  directories.set(key, directory);
  return () => {
    if (directories.get(key) === directory) directories.delete(key);
  };
}

export function directoryFor(ownSignatureKey: Uint8Array): DeviceDirectory | undefined {
  return directories.get(keyOf(ownSignatureKey));
}

export type CredentialVerdict =
  | { readonly ok: true; readonly credential: AnyDeviceCredential }
  | { readonly ok: false; readonly missing?: MissingEntries };

/**
 * RFC 9420 §5.3.1 for Parley's two credential versions (§3, §13.6):
 *  - version 1: the identity key's signature over PeerId and signature key;
 *  - version 2: the `add` entry at `addedSeq` of the person's list (as this
 *    verifier holds it) adds exactly this PeerId and MLS signature key. When
 *    the verifier's list ends before `addedSeq` the answer is "missing", not
 *    "no": a decision must not depend on what the verifier happened to hold.
 * Either way the credential must name the leaf's own signature key (§7.2).
 */
export function judgeCredential(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  directory: DeviceDirectory | undefined,
): CredentialVerdict {
  if (credential.credentialType !== 'basic') return { ok: false };
  const decoded = decodeAnyDeviceCredential(credential.identity);
  if (!decoded) return { ok: false };
  if (!Buffer.from(decoded.signatureKey).equals(Buffer.from(signaturePublicKey))) return { ok: false };
  if (decoded.version === 1)
    return verifyDeviceCredential(decoded) ? { ok: true, credential: decoded } : { ok: false };
  if (!directory) return { ok: false };
  const added = directory.addedAt(decoded.identityKey, decoded.addedSeq);
  if (added === 'missing')
    return { ok: false, missing: { identityKey: decoded.identityKey, seq: decoded.addedSeq } };
  if (!added) return { ok: false };
  const same =
    added.peerId === decoded.peerId &&
    Buffer.from(added.mlsSignatureKey).equals(Buffer.from(decoded.signatureKey));
  return same ? { ok: true, credential: decoded } : { ok: false };
}

/** An authentication service judging with `directory`, noting into `missing` what it lacked. */
export function authServiceWith(
  directory: DeviceDirectory | undefined,
  missing: MissingEntries[],
): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      const verdict = judgeCredential(credential, signaturePublicKey, directory);
      if (!verdict.ok && verdict.missing) missing.push(verdict.missing);
      return verdict.ok;
    },
  };
}

/** `config` with an authentication service for the device with this signature key. */
export function configFor(
  config: ClientConfig,
  ownSignatureKey: Uint8Array,
  missing: MissingEntries[],
): ClientConfig {
  return { ...config, authService: authServiceWith(directoryFor(ownSignatureKey), missing) };
}

/** The state's own leaf's signature key (the verifier), or an empty key when it has none. */
export function ownSignatureKey(c: ClientState): Uint8Array {
  const n = c.ratchetTree[c.privatePath.leafIndex * 2];
  return n?.nodeType === 'leaf' ? n.leaf.signaturePublicKey : new Uint8Array(0);
}

/** `c` judging credentials as its own device does; the original config goes back on the result. */
export function verifying(c: ClientState, missing: MissingEntries[]): ClientState {
  return { ...c, clientConfig: configFor(c.clientConfig, ownSignatureKey(c), missing) };
}
