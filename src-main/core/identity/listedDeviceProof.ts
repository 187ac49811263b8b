import {
  certificateSignatureValid,
  decodeListedDeviceCertificate,
  KIND_DEVICE_SIGNED,
  KIND_IDENTITY_SIGNED,
} from './deviceCertificate';
import type { DeviceListState } from './deviceListVerify';

/**
 * Whether a device outside any group (a contact request, an invite answer, a
 * hello) belongs to a person who has a device list (docs/protocol.md §13.6,
 * "Outside groups"). Issue 14's rule "a valid certificate by the identity key
 * proves the device" becomes, for a person with a list: the device is proven
 * only by being **active** in it, and
 *  - a kind 2 certificate must be exactly the one its add entry carries
 *    (§13.2: alone it proves nothing; the entry is its proof);
 *  - a kind 1 certificate proves only entry 0's device, so the identity key
 *    on device 0 (or a thief of it) cannot vouch for a device outside the list.
 * Pure: `list` is the verified state the caller holds or just fetched.
 */
export type ListedDeviceProof =
  | { ok: true }
  | {
      ok: false;
      /**
       * `unlisted`: the list names no such device; `removed`: it did and removed
       * it; `certificate`: none, malformed, for another device or person, or a
       * bad signature; `kind1-not-entry-0`: an identity-key certificate for a
       * device the list added later.
       */
      reason: 'unlisted' | 'removed' | 'certificate' | 'kind1-not-entry-0';
    };

export function proveListedDevice(
  list: DeviceListState,
  peerId: string,
  certificate: Uint8Array | undefined,
): ListedDeviceProof {
  const device = list.devices.find((d) => d.peerId === peerId);
  if (device === undefined) return { ok: false, reason: 'unlisted' };
  if (device.removedSeq !== undefined) return { ok: false, reason: 'removed' };
  if (certificate === undefined) return { ok: false, reason: 'certificate' };
  const cert = decodeListedDeviceCertificate(certificate);
  if (
    cert === null ||
    cert.peerId !== peerId ||
    !Buffer.from(cert.identityKey).equals(Buffer.from(list.identityKey)) ||
    !certificateSignatureValid(certificate, cert)
  )
    return { ok: false, reason: 'certificate' };
  if (cert.kind === KIND_IDENTITY_SIGNED)
    return device.addedSeq === 0 ? { ok: true } : { ok: false, reason: 'kind1-not-entry-0' };
  if (cert.kind === KIND_DEVICE_SIGNED && Buffer.from(certificate).equals(Buffer.from(device.certificate)))
    return { ok: true };
  return { ok: false, reason: 'certificate' };
}
