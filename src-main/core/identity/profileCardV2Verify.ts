import type { DeviceListState } from './deviceListVerify';
import { type ProfileCardV2, profileCardV2SignatureValid } from './profileCardV2';

/**
 * Whether a receiver takes a version 2 profile card (docs/protocol.md §13.6):
 * the card is the MLS sender's person's (its identity key is the sender's),
 * the entry at `signer_added_seq` of that person's list as the receiver holds
 * it adds exactly the signer, the signer is active there now, and the
 * signature verifies under the signer's device key. Pure: the list state is
 * the caller's (devices/DeviceLists.state).
 *
 * A card already cached stays valid after its signer is removed later (it was
 * genuine when taken); this judges a card as it arrives.
 */
export type CardVerdict =
  | { ok: true }
  /** The receiver's list ends before `signer_added_seq` (or it holds none): fetch the entries, then judge again. */
  | { ok: false; reason: 'missing' }
  /** The signer was removed from the list: the card is not taken, but it is no forgery. */
  | { ok: false; reason: 'removed' }
  /** Another person's card, a signer the entry does not add, or a bad signature: a forgery. */
  | { ok: false; reason: 'identity' | 'unlisted' | 'signature' };

export function judgeProfileCardV2(
  card: ProfileCardV2,
  senderIdentityKey: Uint8Array,
  list: DeviceListState | null,
): CardVerdict {
  if (!Buffer.from(card.identityKey).equals(Buffer.from(senderIdentityKey))) {
    return { ok: false, reason: 'identity' };
  }
  if (list !== null && !Buffer.from(list.identityKey).equals(Buffer.from(senderIdentityKey))) {
    return { ok: false, reason: 'identity' };
  }
  if (list === null || card.signerAddedSeq > list.head.seq) return { ok: false, reason: 'missing' };
  const device = list.devices.find((d) => d.addedSeq === card.signerAddedSeq);
  // A remove entry at that seq, or an add of another device (a wrong seq, someone else's device).
  if (device === undefined || device.peerId !== card.signerPeerId) return { ok: false, reason: 'unlisted' };
  if (!profileCardV2SignatureValid(card)) return { ok: false, reason: 'signature' };
  if (device.removedSeq !== undefined) return { ok: false, reason: 'removed' };
  return { ok: true };
}
