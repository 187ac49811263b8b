import {
  decodeMlsMessage,
  encodeMlsMessage,
  type KeyPackage,
  type MLSMessage,
  type MlsPrivateMessage,
  type MlsPublicMessage,
  type RatchetTree,
  type Welcome,
} from 'ts-mls';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { MlsRejection } from './rejection';

/**
 * MLSMessage framing (RFC 9420 §6) for bytes that cross the network. Decoding
 * never throws anything but MlsRejection('malformed'): hostile input is
 * bounded, must parse completely, and must be of the expected wire format.
 */
export const MAX_MLS_MESSAGE_BYTES = 32 * 1024 * 1024;

function decode(bytes: Uint8Array): MLSMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0)
    throw new MlsRejection('malformed', 'empty message');
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) throw new MlsRejection('malformed', 'message too large');
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw new MlsRejection('malformed', 'not an MLS message', { cause: err });
  }
  if (!decoded) throw new MlsRejection('malformed', 'not an MLS message (truncated or unknown fields)');
  if (decoded[1] !== bytes.length)
    throw new MlsRejection('malformed', 'trailing bytes after the MLS message');
  if (decoded[0].version !== 'mls10') throw new MlsRejection('unsupported', 'not MLS 1.0');
  return decoded[0];
}

/** A group message: a PrivateMessage or PublicMessage (RFC 9420 §6.2, §6.3). */
export function decodeGroupMessage(bytes: Uint8Array): MlsPrivateMessage | MlsPublicMessage {
  const m = decode(bytes);
  if (m.wireformat === 'mls_private_message' || m.wireformat === 'mls_public_message') return m;
  throw new MlsRejection('malformed', `expected a group message, got ${m.wireformat}`);
}

export function decodeWelcome(bytes: Uint8Array): Welcome {
  const m = decode(bytes);
  if (m.wireformat !== 'mls_welcome')
    throw new MlsRejection('malformed', `expected a Welcome, got ${m.wireformat}`);
  return m.welcome;
}

export function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const m = decode(bytes);
  if (m.wireformat !== 'mls_key_package') {
    throw new MlsRejection('malformed', `expected a KeyPackage, got ${m.wireformat}`);
  }
  return m.keyPackage;
}

export function encodeMessage(m: MLSMessage): Uint8Array {
  return encodeMlsMessage(m);
}

export function encodeWelcome(welcome: Welcome): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome });
}

export function encodeKeyPackage(keyPackage: KeyPackage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage });
}

/** RFC 9420 §12.4.3.3: the ratchet tree a joiner needs, sent beside the Welcome. */
export function encodeTree(tree: RatchetTree): Uint8Array {
  return encodeRatchetTree(tree);
}

export function decodeTree(bytes: Uint8Array): RatchetTree {
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) throw new MlsRejection('malformed', 'ratchet tree too large');
  let decoded: ReturnType<typeof decodeRatchetTree>;
  try {
    decoded = decodeRatchetTree(bytes, 0);
  } catch (err) {
    throw new MlsRejection('malformed', 'not a ratchet tree', { cause: err });
  }
  if (!decoded || decoded[1] !== bytes.length) throw new MlsRejection('malformed', 'not a ratchet tree');
  return decoded[0];
}
