import { type BoxSealer, SealOpener, seal } from '../crypto/sealedBox';

/**
 * What a holder keeps for an offline recipient: the envelope payload and the
 * sending device's PeerId, sealed to the recipient's seal key (X-Wing,
 * sealedBox.ts). The holder sees only the recipient and the envelope id; the
 * AAD binds both, so a holder cannot replay a box under another id or for
 * another device.
 *
 *   plaintext = u8 version (1) | u8 length of sender | sender PeerId (UTF-8) | payload
 *
 * The sender PeerId inside is not authenticated by the box (anyone can seal
 * to a public key): the payload carries its own authentication (MLS).
 *
 * With a `BoxSealer` the box is a version 2 (session) box: one X-Wing
 * encapsulation covers many envelopes to the same device, so the recipient
 * decapsulates once per session when it catches up, not once per envelope.
 * Without one it is a single-shot version 1 box. `openEnvelope` opens both.
 */
const VERSION = 1;

function aadOf(envelopeId: Uint8Array, recipient: string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(envelopeId), Buffer.from(recipient, 'utf8')]));
}

/**
 * Seals an envelope for a holder to keep. Pass the running device's
 * `BoxSealer` (never a shared one: its sessions are that device's secrets).
 * Throws a RangeError for a malformed seal key or an over-long sender.
 */
export function sealEnvelope(
  recipientSealKey: Uint8Array,
  recipient: string,
  envelopeId: Uint8Array,
  sender: string,
  payload: Uint8Array,
  sealer?: BoxSealer,
): Uint8Array {
  const from = Buffer.from(sender, 'utf8');
  if (from.length > 255) throw new RangeError('sender PeerId too long');
  const plain = new Uint8Array(
    Buffer.concat([Buffer.from([VERSION, from.length]), from, Buffer.from(payload)]),
  );
  const aad = aadOf(envelopeId, recipient);
  return sealer === undefined
    ? seal(recipientSealKey, plain, aad)
    : sealer.seal(recipientSealKey, plain, aad);
}

/** The sender and payload, or null for anything not sealed to us under this id. */
export function openEnvelope(
  sealKey: Uint8Array | SealOpener,
  self: string,
  envelopeId: Uint8Array,
  sealed: Uint8Array,
): { sender: string; payload: Uint8Array } | null {
  // Pass a SealOpener when opening many (a catch-up): it expands the key once
  // and decapsulates once per sender session (version 2 boxes).
  const opener = sealKey instanceof SealOpener ? sealKey : new SealOpener(sealKey);
  const plain = opener.open(sealed, aadOf(envelopeId, self));
  if (!plain || plain.length < 2 || plain[0] !== VERSION) return null;
  const n = plain[1] ?? 0;
  if (plain.length < 2 + n) return null;
  return {
    sender: Buffer.from(plain.subarray(2, 2 + n)).toString('utf8'),
    payload: plain.slice(2 + n),
  };
}
