import { type Ed25519Sign, verifyEd25519 } from '../util/ed25519';
import { imageKind } from '../util/imageType';
import { ed25519KeyOfPeerId } from './peerIdKey';
import { u16, u32, u64 } from '../util/bigEndian';

/**
 * Profile card version 2 (docs/protocol.md §13.6, "Profile cards, version
 * 2"): the same fields as version 1 (contacts/profileCard.ts), signed by any
 * device of the person instead of the identity key, which only device 0
 * holds (§13.2). The card names its signer by PeerId and by the seq of the
 * device-list entry that added it, so a receiver checks it against the list
 * it holds (profileCardV2Verify.ts); the signature checks under the key the
 * Ed25519 PeerId embeds, without a lookup.
 *
 * Signed bytes, exactly as §13.6 writes them (integers big-endian):
 * ```
 * "parley/v2/profile-card\0" | identity_key[32] | u64 version | u64 issued_at
 * | u16 len, signer_peer_id | u32 signer_added_seq
 * | u16 len, display_name | u16 len, status_text | u32 len, avatar
 * signature = Ed25519-Sign(signer device key, signed bytes)            (RFC 8032)
 * ```
 * Encoding on the wire (ProfileContent `card2`, base64url): `u8 2` followed
 * by the signed bytes without the context string, then `signature[64]`. A
 * decoder refuses anything else (a short or long field, non-canonical
 * UTF-8, an avatar that is no PNG, JPEG or WebP, trailing bytes), so a card
 * has one encoding.
 */

export const PROFILE_CARD_V2_FORMAT = 2;
/** Same limits as version 1 (§3). */
export const CARD_DISPLAY_NAME_MAX_CHARS = 64;
export const CARD_STATUS_TEXT_MAX_CHARS = 140;
export const CARD_AVATAR_MAX_BYTES = 64 * 1024;
const MAX_PEER_ID_BYTES = 128;
const SIGNATURE_BYTES = 64;
/** Format byte, the identity key, both u64s, both u16 lengths of text, the u32 avatar length, seq, signature. */
const FIXED_BYTES = 1 + 32 + 8 + 8 + 2 + 4 + 2 + 2 + 4 + SIGNATURE_BYTES;
/** The largest encoding: every field at its limit (4 UTF-8 bytes a character). */
export const MAX_PROFILE_CARD_V2_BYTES =
  FIXED_BYTES +
  MAX_PEER_ID_BYTES +
  CARD_DISPLAY_NAME_MAX_CHARS * 4 +
  CARD_STATUS_TEXT_MAX_CHARS * 4 +
  CARD_AVATAR_MAX_BYTES;
const CONTEXT = Buffer.from('parley/v2/profile-card\0');

/** What a card says, whichever version signs it. */
export interface ProfileCardFields {
  /** Grows with every change; receivers keep the highest they verified. */
  version: number;
  issuedAt: number;
  displayName: string;
  statusText: string;
  /** PNG, JPEG or WebP, ≤ 64 KiB; null for none. */
  avatar: Uint8Array | null;
}

export interface ProfileCardV2 extends ProfileCardFields {
  identityKey: Uint8Array;
  /** The device that signed it. */
  signerPeerId: string;
  /** The seq of the device-list entry that added the signer. */
  signerAddedSeq: number;
  signature: Uint8Array;
}

/** Why the fields cannot be a card, or null. Lengths count UTF-16 units, as version 1 does. */
function fieldProblem(card: Omit<ProfileCardV2, 'signature'>): string | null {
  if (card.identityKey.length !== 32) return 'identity key must be 32 bytes';
  if (!Number.isSafeInteger(card.version) || card.version < 1) return 'version';
  if (!Number.isSafeInteger(card.issuedAt) || card.issuedAt < 0) return 'issued_at';
  const signer = Buffer.byteLength(card.signerPeerId, 'utf8');
  if (signer < 1 || signer > MAX_PEER_ID_BYTES) return 'signer PeerId length';
  if (!Number.isInteger(card.signerAddedSeq) || card.signerAddedSeq < 0 || card.signerAddedSeq > 0xffffffff)
    return 'signer seq';
  if (card.displayName.length < 1 || card.displayName.length > CARD_DISPLAY_NAME_MAX_CHARS)
    return 'display name length';
  if (card.statusText.length > CARD_STATUS_TEXT_MAX_CHARS) return 'status length';
  if (card.avatar !== null) {
    if (card.avatar.length === 0 || card.avatar.length > CARD_AVATAR_MAX_BYTES) return 'avatar size';
    if (imageKind(card.avatar) === null) return 'avatar is not an image';
  }
  return null;
}

/** The signed bytes without the context string (also the wire body after the format byte). */
function body(card: Omit<ProfileCardV2, 'signature'>): Buffer {
  const problem = fieldProblem(card);
  if (problem !== null) throw new RangeError(`profile card: ${problem}`);
  const signer = Buffer.from(card.signerPeerId, 'utf8');
  const name = Buffer.from(card.displayName, 'utf8');
  const status = Buffer.from(card.statusText, 'utf8');
  const avatar = card.avatar ?? new Uint8Array(0);
  return Buffer.concat([
    card.identityKey,
    u64(card.version),
    u64(card.issuedAt),
    u16(signer.length),
    signer,
    u32(card.signerAddedSeq),
    u16(name.length),
    name,
    u16(status.length),
    status,
    u32(avatar.length),
    avatar,
  ]);
}

/** Signs a card with a device key; throws RangeError when a field is out of bounds. */
export function signProfileCardV2(sign: Ed25519Sign, card: Omit<ProfileCardV2, 'signature'>): ProfileCardV2 {
  const signature = sign(Buffer.concat([CONTEXT, body(card)]));
  return { ...card, signature: new Uint8Array(signature) };
}

export function encodeProfileCardV2(card: ProfileCardV2): Uint8Array {
  if (card.signature.length !== SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes');
  return new Uint8Array(Buffer.concat([Buffer.from([PROFILE_CARD_V2_FORMAT]), body(card), card.signature]));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a card; null for anything malformed or non-canonical (never throws). Does not verify. */
export function decodeProfileCardV2(bytes: Uint8Array): ProfileCardV2 | null {
  if (bytes.length < FIXED_BYTES + 2 || bytes.length > MAX_PROFILE_CARD_V2_BYTES) return null;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] !== PROFILE_CARD_V2_FORMAT) return null;
  let o = 1;
  const take = (n: number): Buffer | null => {
    if (o + n > b.length) return null;
    const out = b.subarray(o, o + n);
    o += n;
    return out;
  };
  const text = (lenBytes: 2 | 4): string | null => {
    const len = take(lenBytes);
    if (len === null) return null;
    const raw = take(lenBytes === 2 ? len.readUInt16BE() : len.readUInt32BE());
    if (raw === null) return null;
    try {
      return utf8.decode(raw);
    } catch {
      return null;
    }
  };
  try {
    const identityKey = take(32);
    const version = take(8);
    const issuedAt = take(8);
    if (identityKey === null || version === null || issuedAt === null) return null;
    const v = version.readBigUInt64BE();
    const at = issuedAt.readBigUInt64BE();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || at > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    const signerPeerId = text(2);
    const seq = take(4);
    const displayName = text(2);
    const statusText = text(2);
    const avatarLen = take(4);
    if (signerPeerId === null || seq === null || displayName === null || statusText === null) return null;
    if (avatarLen === null) return null;
    const avatarBytes = take(avatarLen.readUInt32BE());
    const signature = take(SIGNATURE_BYTES);
    if (avatarBytes === null || signature === null || o !== b.length) return null;
    const card: ProfileCardV2 = {
      identityKey: new Uint8Array(identityKey),
      version: Number(v),
      issuedAt: Number(at),
      signerPeerId,
      signerAddedSeq: seq.readUInt32BE(),
      displayName,
      statusText,
      avatar: avatarBytes.length === 0 ? null : new Uint8Array(avatarBytes),
      signature: new Uint8Array(signature),
    };
    if (fieldProblem(card) !== null) return null;
    // One encoding per card: the decoded fields must encode to exactly these bytes.
    if (!Buffer.from(encodeProfileCardV2(card)).equals(b)) return null;
    return card;
  } catch {
    return null;
  }
}

/**
 * Whether the signature verifies under the key the signer's Ed25519 PeerId
 * embeds. Whether that device may sign for this identity is the list's
 * question (profileCardV2Verify.ts). Never throws.
 */
export function profileCardV2SignatureValid(card: ProfileCardV2): boolean {
  const key = ed25519KeyOfPeerId(card.signerPeerId);
  if (key === null) return false;
  let signed: Buffer;
  try {
    signed = Buffer.concat([CONTEXT, body(card)]);
  } catch {
    return false;
  }
  return verifyEd25519(key, signed, card.signature);
}

/**
 * The order in which cards of one person replace each other: the higher
 * version, then the later issue time, then the greater signer PeerId, so two
 * devices that edited concurrently (same version) are ordered alike by
 * everyone (§13.6: "converge on the later edit"). Positive when `a` is newer.
 */
export function compareCards(
  a: Pick<ProfileCardFields, 'version' | 'issuedAt'> & { signerPeerId?: string },
  b: Pick<ProfileCardFields, 'version' | 'issuedAt'> & { signerPeerId?: string },
): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt - b.issuedAt;
  const pa = a.signerPeerId ?? '';
  const pb = b.signerPeerId ?? '';
  return pa === pb ? 0 : pa > pb ? 1 : -1;
}
