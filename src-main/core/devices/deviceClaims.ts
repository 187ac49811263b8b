import { verifyDeviceCredential, type AnyDeviceCredential } from '../identity/credential';
import type { DeviceListHead } from '../identity/deviceListEntry';
import type { ListedDevice } from '../identity/deviceListVerify';

/**
 * Is a device's MLS credential one of its person's devices, as this profile
 * holds that person's list (docs/protocol.md §13.6, "KeyPackages" and
 * "GroupInfo")? Asked before this device adds a KeyPackage to a group (a new
 * conversation, an Add) and before it hands a group's GroupInfo to a device
 * that wants to rejoin. Unlike the authentication service of mls/
 * (`judgeCredential`, which every member must decide alike from the
 * immutable chain prefix), this is one device deciding what *it* will do, so
 * it judges against the newest list it holds: a device removed since its
 * `add` gets nothing.
 *
 *  - Version 2: the `add` entry at `addedSeq` names exactly this PeerId and
 *    MLS signature key, and no later entry removed it. When the list held
 *    here ends before `addedSeq` the answer is `missing` (fetch the entries
 *    from the device itself, which serves its own list, then ask again).
 *  - Version 1 (identity-key signed): the signature must verify; when a list
 *    is held for that person and names this PeerId, the key must be the one
 *    listed and the device must not be removed. A version 1 credential for a
 *    PeerId the list does not name is still accepted, and this is a
 *    deliberate, written deviation: a profile restored by *replacing* its
 *    device (§13.9, docs/backup-format.md §6) makes a version 1 credential
 *    for its new PeerId, and until the restore writes `add(N)` to the list
 *    that device would otherwise be cut off from every new conversation and
 *    rejoin. What it does not open: a device the list removed (rule 3: it
 *    never comes back), and a PeerId or key another person's list claims.
 *  - Every version: a PeerId or MLS key that another person's list holds is
 *    refused (§13.3 rule 5, "a device claimed by someone else's chain").
 */

/** What the judgement reads of the held lists (devices/deviceLists.ts implements it). */
export interface DeviceClaimLists {
  headOf(identityKey: Uint8Array): DeviceListHead | null;
  /** Every device the person's list ever named, removed ones included. */
  allDevices(identityKey: Uint8Array): ListedDevice[];
  /** Whose held list names this PeerId or MLS signature key (rule 5), or null. */
  claimant(peerId: string, mlsSignatureKey: Uint8Array): Uint8Array | null;
}

export type DeviceClaimVerdict =
  | { readonly ok: true }
  /** The list held here ends before the credential's entry: fetch, then judge again. */
  | { readonly ok: false; readonly missing: { identityKey: Uint8Array; seq: number } }
  | { readonly ok: false; readonly missing?: undefined; readonly reason: string };

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const refused = (reason: string): DeviceClaimVerdict => ({ ok: false, reason });

export function judgeDeviceClaim(lists: DeviceClaimLists, c: AnyDeviceCredential): DeviceClaimVerdict {
  const owner = lists.claimant(c.peerId, c.signatureKey);
  if (owner !== null && !same(owner, c.identityKey))
    return refused("the device is claimed by someone else's device list");
  if (c.version === 1) {
    if (!verifyDeviceCredential(c)) return refused('the identity key did not sign this device');
    if (lists.headOf(c.identityKey) === null) return { ok: true };
    const all = lists.allDevices(c.identityKey);
    const named = all.find((d) => d.peerId === c.peerId);
    if (!named) {
      // Rule 3: a key names one device of a list; a known key under a new PeerId is a copy.
      if (all.some((d) => same(d.mlsSignatureKey, c.signatureKey)))
        return refused('the MLS key belongs to another device of that person');
      return { ok: true };
    }
    if (!same(named.mlsSignatureKey, c.signatureKey))
      return refused('the MLS key is not the one the device list names for that device');
    return named.removedSeq === undefined ? { ok: true } : refused('the device was removed from its list');
  }
  const head = lists.headOf(c.identityKey);
  if (head === null || c.addedSeq > head.seq)
    return { ok: false, missing: { identityKey: c.identityKey, seq: c.addedSeq } };
  const d = lists.allDevices(c.identityKey).find((x) => x.addedSeq === c.addedSeq);
  if (!d || d.peerId !== c.peerId || !same(d.mlsSignatureKey, c.signatureKey))
    return refused('the device list entry it names adds another device');
  return d.removedSeq === undefined ? { ok: true } : refused('the device was removed from its list');
}

/** The held lists as the judgement reads them: the service's verified states, the repository's rule 5 view. */
export function deviceClaimLists(
  lists: Pick<DeviceClaimLists, 'headOf' | 'allDevices'>,
  repo: { ownerOf(peerId: string, mlsSignatureKey: Uint8Array): Uint8Array | null },
): DeviceClaimLists {
  return {
    headOf: (ik) => lists.headOf(ik),
    allDevices: (ik) => lists.allDevices(ik),
    claimant: (peerId, key) => {
      const ik = repo.ownerOf(peerId, key);
      return ik === null ? null : new Uint8Array(ik);
    },
  };
}
