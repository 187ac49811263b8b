import {
  generateKeyPair,
  privateKeyFromProtobuf,
  privateKeyFromRaw,
  privateKeyToProtobuf,
} from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';

/**
 * The device key: one Ed25519 key per install, whose public half is the libp2p
 * PeerId (DESIGN.md §2 identity). The caller keeps the private key in the
 * encrypted database and hands it to the node; these helpers only convert.
 * Stored form: libp2p's protobuf encoding (type tag + key), so the bytes say
 * what they are. The raw 64-byte form (seed ‖ public key) is accepted too.
 */

/** A new device key in its stored (protobuf) form. */
export async function generateDeviceKey(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'));
}

/** Parses a stored device key. Throws a RangeError for anything that is not an Ed25519 private key. */
export function loadDeviceKey(bytes: Uint8Array): Ed25519PrivateKey {
  let key;
  try {
    key = bytes.length === 64 ? privateKeyFromRaw(bytes) : privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw new RangeError('not a device key', { cause: err });
  }
  if (key.type !== 'Ed25519') throw new RangeError('device keys are Ed25519');
  return key;
}

/** The PeerId (base58btc string) of a stored device key. */
export function peerIdOfDeviceKey(bytes: Uint8Array): string {
  return peerIdFromPrivateKey(loadDeviceKey(bytes)).toString();
}

/** True when `s` parses as a PeerId; wire input is checked with this before use. */
export function isPeerIdString(s: string): boolean {
  if (s.length === 0 || s.length > 128) return false;
  try {
    peerIdFromString(s);
    return true;
  } catch {
    return false;
  }
}
