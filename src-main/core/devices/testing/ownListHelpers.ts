import { buildRemoveEntry, type Possession, signPossession } from '../../identity/deviceListBuild';
import type { DeviceListEntry } from '../../identity/deviceListEntry';
import { makeTestDevice, type TestDevice } from '../../identity/testing/deviceListFixture';
import type { DeviceLists } from '../deviceLists';

/**
 * Test helpers for one person's list held by a running device: a new
 * device's consent and its add (what linking does, §13.5), and a remove
 * signed by a device that exists only in the test (§13.8: any active device
 * may remove any other, so a lost laptop can be removed by the phone).
 */

/** A new device's consent to join the person's list at `lists`' current head (made on that device). */
export function consentAt(lists: DeviceLists, device: TestDevice): Possession {
  const identityKey = lists.ownIdentityKey;
  const head = lists.headOf(identityKey);
  if (head === null) throw new Error('no own list');
  return signPossession({
    identityKey,
    seq: head.seq + 1,
    prev: head.hash,
    subjectPeerId: device.peerId,
    mlsSignatureKey: device.mlsSignatureKey,
    deviceSign: device.sign,
    mlsSign: device.mlsSign,
  });
}

/** Appends an add of `device` (a fresh one by default) to the own list, signed by this device. */
export function linkTestDevice(lists: DeviceLists, device: TestDevice = makeTestDevice()): TestDevice {
  lists.appendAdd({
    subjectPeerId: device.peerId,
    mlsSignatureKey: device.mlsSignatureKey,
    platform: 'windows',
    possession: consentAt(lists, device),
  });
  return device;
}

/** A remove of `subject` signed by the test device `signer`, after the head `lists` holds for the person. */
export function removeSignedBy(
  lists: DeviceLists,
  identityKey: Uint8Array,
  signer: TestDevice,
  subject: string,
): DeviceListEntry {
  const head = lists.headOf(identityKey);
  if (head === null) throw new Error('no list for that person');
  return buildRemoveEntry({
    identityKey,
    head,
    at: Date.now(),
    signerPeerId: signer.peerId,
    signerSign: signer.sign,
    subjectPeerId: subject,
    reason: 'removed',
  });
}
