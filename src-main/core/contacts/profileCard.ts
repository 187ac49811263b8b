import { createPrivateKey, sign } from 'node:crypto';
import { z } from 'zod';
import {
  decodeProfileCardV2,
  encodeProfileCardV2,
  MAX_PROFILE_CARD_V2_BYTES,
  type ProfileCardV2,
} from '../identity/profileCardV2';
import { imageKind, imageMime, type ImageKind } from '../util/imageType';
import { verifyEd25519 } from '../util/ed25519';
import { u16, u32, u64 } from '../util/bigEndian';

/**
 * A user's profile card (issue #6 item 5): display name, status text and a
 * small avatar, signed by the user's Ed25519 identity key (RFC 8032).
 *
 * It travels inside the `profile` content of MLS application messages, so
 * MLS already authenticates the sending device and binds it to the identity
 * key through the device credential (docs/protocol.md §3). The card is signed
 * on top of that because it outlives the message: receivers cache it
 * (contacts.status_text, avatar, profile_version) and compare versions, and a
 * card whose signature verifies under the sender's identity key is one the
 * user issued, not something a device made up for another user. A receiver
 * accepts a card only when its signature verifies under the identity key of
 * the MLS sender; anything else is rejected and changes nothing.
 *
 * Signed bytes (all integers big-endian):
 * ```
 * "parley/v1/profile-card\0" | identity_key[32] | u64 version | u64 issued_at
 * | u16 len, display_name (UTF-8) | u16 len, status_text (UTF-8) | u32 len, avatar
 * ```
 */

/** Largest avatar, bytes (before base64). */
export const AVATAR_MAX_BYTES = 64 * 1024;
export const STATUS_TEXT_MAX_CHARS = 140;
export const DISPLAY_NAME_MAX_CHARS = 64;

const CONTEXT = Buffer.from('parley/v1/profile-card\0');

export interface ProfileCard {
  /** Grows with every change; receivers keep the highest they verified. */
  version: number;
  issuedAt: number;
  displayName: string;
  statusText: string;
  /** PNG, JPEG or WebP, ≤ AVATAR_MAX_BYTES; null for none. */
  avatar: Uint8Array | null;
}

export interface SignedProfileCard extends ProfileCard {
  /** Ed25519 signature (64 bytes) by the identity key over the bytes above. */
  signature: Uint8Array;
}

const B64Url = (maxChars: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .max(maxChars);

/** The card as JSON inside ProfileContent (`card`). */
export const ProfileCardJson = z.object({
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  displayName: z.string().min(1).max(DISPLAY_NAME_MAX_CHARS),
  statusText: z.string().max(STATUS_TEXT_MAX_CHARS),
  avatar: B64Url(Math.ceil((AVATAR_MAX_BYTES * 4) / 3)).optional(),
  signature: B64Url(86),
});
export type ProfileCardJson = z.infer<typeof ProfileCardJson>;

/**
 * A version 2 card (identity/profileCardV2.ts, docs/protocol.md §13.6) as
 * ProfileContent carries it (`card2`): its one binary encoding, base64url.
 */
export const ProfileCardV2Json = B64Url(Math.ceil((MAX_PROFILE_CARD_V2_BYTES * 4) / 3));
export type ProfileCardV2Json = z.infer<typeof ProfileCardV2Json>;

export function card2ToJson(card: ProfileCardV2): ProfileCardV2Json {
  return Buffer.from(encodeProfileCardV2(card)).toString('base64url');
}

/** The card, or null when the text is no canonical encoding of one. */
export function card2FromJson(json: ProfileCardV2Json): ProfileCardV2 | null {
  return decodeProfileCardV2(new Uint8Array(Buffer.from(json, 'base64url')));
}

// Avatars and file thumbnails are told apart from other bytes by one rule (util/imageType.ts).
export { imageKind, imageMime, type ImageKind };

/** Why an avatar is refused, or null when it is fine. */
export function avatarProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'The picture is empty.';
  if (bytes.length > AVATAR_MAX_BYTES) return 'The picture is larger than 64 KB.';
  if (imageKind(bytes) === null) return 'The picture must be a PNG, JPEG or WebP image.';
  return null;
}

function signedBytes(identityKey: Uint8Array, card: ProfileCard): Buffer {
  const name = Buffer.from(card.displayName, 'utf8');
  const status = Buffer.from(card.statusText, 'utf8');
  const avatar = card.avatar ?? new Uint8Array(0);
  return Buffer.concat([
    CONTEXT,
    identityKey,
    u64(card.version),
    u64(card.issuedAt),
    u16(name.length),
    name,
    u16(status.length),
    status,
    u32(avatar.length),
    avatar,
  ]);
}

/** Signs a card with the identity key (PKCS#8 DER). */
export function signProfileCard(
  identityPrivateKey: Uint8Array,
  identityKey: Uint8Array,
  card: ProfileCard,
): SignedProfileCard {
  const key = createPrivateKey({ key: Buffer.from(identityPrivateKey), format: 'der', type: 'pkcs8' });
  const signature = new Uint8Array(sign(null, signedBytes(identityKey, card), key));
  return { ...card, signature };
}

/** True when `identityKey` signed exactly this card. Never throws. */
export function verifyProfileCard(identityKey: Uint8Array, card: SignedProfileCard): boolean {
  return verifyEd25519(identityKey, signedBytes(identityKey, card), card.signature);
}

export function cardToJson(card: SignedProfileCard): ProfileCardJson {
  return {
    version: card.version,
    issuedAt: card.issuedAt,
    displayName: card.displayName,
    statusText: card.statusText,
    ...(card.avatar ? { avatar: Buffer.from(card.avatar).toString('base64url') } : {}),
    signature: Buffer.from(card.signature).toString('base64url'),
  };
}

/** The card from JSON, or null when a field is malformed (wrong lengths, a bad avatar). */
export function cardFromJson(json: ProfileCardJson): SignedProfileCard | null {
  const signature = new Uint8Array(Buffer.from(json.signature, 'base64url'));
  const avatar = json.avatar === undefined ? null : new Uint8Array(Buffer.from(json.avatar, 'base64url'));
  if (signature.length !== 64) return null;
  if (avatar !== null && avatarProblem(avatar) !== null) return null;
  return {
    version: json.version,
    issuedAt: json.issuedAt,
    displayName: json.displayName,
    statusText: json.statusText,
    avatar,
    signature,
  };
}
