import type { Ed25519Sign } from '../util/ed25519';
import { issueListedDeviceCertificate } from './deviceCertificate';
import {
  type DeviceListAdd,
  type DeviceListHead,
  type DeviceListRemove,
  type DevicePlatform,
  mlsPossessionMessage,
  possessionMessage,
  type RemoveReason,
  signDeviceListEntry,
  ZERO_HASH,
} from './deviceListEntry';

/**
 * Making entries (docs/protocol.md §13.3): entry 0 by the identity key, adds
 * and removes by an active device. The new device's consent (its two
 * possession signatures) is made on the new device itself, at the position
 * it will take (linking: JoinBody, §13.5), and handed to the signer.
 */

/** The new device's consent to be listed at `seq` after `prev` (both keys sign). */
export interface Possession {
  possession: Uint8Array;
  mlsPossession: Uint8Array;
}

/** Signed on the joining device: its device key and its MLS signature key consent (§13.3). */
export function signPossession(input: {
  identityKey: Uint8Array;
  seq: number;
  prev: Uint8Array;
  subjectPeerId: string;
  mlsSignatureKey: Uint8Array;
  deviceSign: Ed25519Sign;
  mlsSign: Ed25519Sign;
}): Possession {
  return {
    possession: input.deviceSign(
      possessionMessage(input.identityKey, input.seq, input.prev, input.mlsSignatureKey),
    ),
    mlsPossession: input.mlsSign(
      mlsPossessionMessage(input.identityKey, input.seq, input.prev, input.subjectPeerId),
    ),
  };
}

/** Entry 0 (§13.3 rule 1, §13.11): the identity key lists the device that holds it. */
export function buildFirstEntry(input: {
  identityKey: Uint8Array;
  identitySign: Ed25519Sign;
  at: number;
  peerId: string;
  /** The kind 1 certificate the identity key issued for this device (issue 14). */
  certificate: Uint8Array;
  mlsSignatureKey: Uint8Array;
  platform: DevicePlatform;
  possession: Possession;
}): DeviceListAdd {
  return signDeviceListEntry(
    {
      op: 'add',
      seq: 0,
      prev: ZERO_HASH,
      identityKey: input.identityKey,
      at: input.at,
      subjectPeerId: input.peerId,
      signerPeerId: null,
      certificate: input.certificate,
      mlsSignatureKey: input.mlsSignatureKey,
      platform: input.platform,
      ...input.possession,
    },
    input.identitySign,
  );
}

/** An add after `head`, signed by the active device `signerPeerId`, with a kind 2 certificate it issues. */
export function buildAddEntry(input: {
  identityKey: Uint8Array;
  head: DeviceListHead;
  at: number;
  signerPeerId: string;
  signerSign: Ed25519Sign;
  subjectPeerId: string;
  mlsSignatureKey: Uint8Array;
  platform: DevicePlatform;
  possession: Possession;
}): DeviceListAdd {
  const certificate = issueListedDeviceCertificate(
    input.signerSign,
    input.signerPeerId,
    input.identityKey,
    input.subjectPeerId,
    input.at,
  );
  return signDeviceListEntry(
    {
      op: 'add',
      ...linkedAfter(input),
      certificate,
      mlsSignatureKey: input.mlsSignatureKey,
      platform: input.platform,
      ...input.possession,
    },
    input.signerSign,
  );
}

/** The fields every entry after `head` shares: its place in the chain, who it is about, who signs it. */
function linkedAfter(input: {
  identityKey: Uint8Array;
  head: DeviceListHead;
  at: number;
  subjectPeerId: string;
  signerPeerId: string;
}) {
  return {
    seq: input.head.seq + 1,
    prev: input.head.hash,
    identityKey: input.identityKey,
    at: input.at,
    subjectPeerId: input.subjectPeerId,
    signerPeerId: input.signerPeerId,
  };
}

/** A remove after `head`, signed by an active device (the subject itself for reason `unlinked`). */
export function buildRemoveEntry(input: {
  identityKey: Uint8Array;
  head: DeviceListHead;
  at: number;
  signerPeerId: string;
  signerSign: Ed25519Sign;
  subjectPeerId: string;
  reason: RemoveReason;
}): DeviceListRemove {
  return signDeviceListEntry(
    {
      op: 'remove',
      ...linkedAfter(input),
      reason: input.reason,
    },
    input.signerSign,
  );
}
