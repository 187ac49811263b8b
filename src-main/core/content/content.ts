import { z } from 'zod';
import { ProfileCardJson, ProfileCardV2Json } from '../contacts/profileCard';

/**
 * Application content inside MLS application messages (DESIGN.md §2
 * messaging): UTF-8 JSON, versioned (`v`), validated with zod on the way in.
 * MLS authenticates the sender, so content never names its author. A `type`
 * this version does not know is ignored (its MLS state is still committed),
 * which leaves room for reactions, edits, receipts and the rest later
 * without breaking older peers.
 */
export const CONTENT_VERSION = 1;
/** Text bodies are bounded well inside the 256 KiB envelope limit. */
export const MAX_TEXT_CHARS = 16_000;

const Uid = z.string().regex(/^[0-9a-f]{32}$/);
/** Member devices one profile can describe (each ~1.7 KB with its seal key: well inside an envelope). */
export const MAX_PROFILE_PEERS = 32;
const B64 = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(4096);
const PeerId = z.string().min(1).max(128);
const IdentityHex = z.string().regex(/^[0-9a-f]{64}$/);
/** More than this many @mentions in one message is noise, not a message. */
export const MAX_MENTIONS = 64;

export const TextContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('text'),
  uid: Uid,
  /** The sender's clock, ms. */
  sentAt: z.number().int().nonnegative(),
  body: z.string().min(1).max(MAX_TEXT_CHARS),
  replyToUid: Uid.optional(),
  /** Users mentioned with @ (identity keys, hex): their rows stand out for them. */
  mentions: z.array(IdentityHex).max(MAX_MENTIONS).optional(),
});
export type TextContent = z.infer<typeof TextContent>;

/**
 * Who this device is to the others in a conversation: its display name, the
 * key to seal store-and-forward envelopes to, and the holders (its contacts'
 * devices that relay for it) to deposit them with. Signed by being an MLS
 * message from the device's certified leaf.
 */
export const ProfileContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('profile'),
  displayName: z.string().max(256),
  /** X-Wing public key, base64url. */
  sealPublicKey: B64,
  relays: z.array(PeerId).max(16),
  /** Where this device listens (multiaddrs), so contacts can dial it after either side restarts. */
  addresses: z.array(z.string().max(256)).max(16).optional(),
  /**
   * The user's signed profile card (name, status, avatar; profileCard.ts).
   * Optional, so older readers (which strip unknown keys) still apply the
   * rest; sent only where every other member is a contact (DMs).
   */
  card: ProfileCardJson.optional(),
  /**
   * The same card as version 2 (signed by a listed device, docs/protocol.md
   * §13.6). Receivers that hold the sender's device list take this one and
   * refuse a version 1 card alone; others take `card`.
   */
  card2: ProfileCardV2Json.optional(),
  /**
   * In a group: how to reach the other members' devices, as far as the
   * sender knows (addresses, seal key). Members who are not each other's
   * contacts have no other way to learn them: their own profiles travel in
   * the group and need that very route. A hint only: the PeerId must be a
   * member of the group (its MLS leaf), a first-hand profile overrides it,
   * and a seal key given by a third party is used only while none is known
   * (a wrong one can only make a held envelope unreadable, and the sender is
   * a member who can read the group anyway).
   */
  peers: z
    .array(
      z.object({
        peerId: PeerId,
        addresses: z.array(z.string().max(256)).max(16),
        sealPublicKey: B64.optional(),
      }),
    )
    .max(MAX_PROFILE_PEERS)
    .optional(),
});
export type ProfileContent = z.infer<typeof ProfileContent>;

/**
 * Disappearing messages for the whole conversation (issue #6 item 3): new
 * messages expire this long after they reach each device; null turns it off.
 * Only an owner or admin may set it in a group (checked on receipt against
 * the sender's role, see timers.ts); any member of a DM may.
 */
export const MIN_TIMER_MS = 1_000;
export const MAX_TIMER_MS = 366 * 24 * 3600_000;
export const TimerContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('timer'),
  uid: Uid,
  /** The sender's clock, ms. */
  sentAt: z.number().int().nonnegative(),
  ms: z.number().int().min(MIN_TIMER_MS).max(MAX_TIMER_MS).nullable(),
});
export type TimerContent = z.infer<typeof TimerContent>;

// --- rich messages (issue #6 item 1; effects in richContent.ts) ------------

/**
 * One emoji: pictographs, flags, keycaps, ZWJ sequences and modifiers (the
 * Emoji_Component property covers ZWJ, VS16, keycap and skin tones), at
 * most 32 UTF-16 units (the reactions table's CHECK). Words, markup and
 * whitespace are refused.
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const Emoji = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[\p{Extended_Pictographic}\p{Emoji_Component}]+$/u)
  .regex(/\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u20e3/u)
  .refine((s) => [...graphemes.segment(s)].length === 1, 'one emoji');

/** Adds (`on: true`) or takes back one emoji reaction of the sender to a message; several per user. */
export const ReactionContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('reaction'),
  targetUid: Uid,
  emoji: Emoji,
  on: z.boolean(),
  sentAt: z.number().int().nonnegative(),
});
export type ReactionContent = z.infer<typeof ReactionContent>;

/** New text for one of the sender's own messages; receivers keep the previous text as history. */
export const EditContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('edit'),
  targetUid: Uid,
  body: z.string().min(1).max(MAX_TEXT_CHARS),
  mentions: z.array(IdentityHex).max(MAX_MENTIONS).optional(),
  sentAt: z.number().int().nonnegative(),
});
export type EditContent = z.infer<typeof EditContent>;

/** Delete for everyone: one of the sender's own messages. */
export const DeleteContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('delete'),
  targetUid: Uid,
  sentAt: z.number().int().nonnegative(),
});
export type DeleteContent = z.infer<typeof DeleteContent>;

/** Read receipt: the sender has read this conversation up to (and including) `upToUid`. */
export const ReceiptContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('receipt'),
  upToUid: Uid,
  readAt: z.number().int().nonnegative(),
});
export type ReceiptContent = z.infer<typeof ReceiptContent>;

/** Typing indicator: ephemeral, sent only to connected devices, expires on the receiver. */
export const TypingContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('typing'),
  typing: z.boolean(),
});
export type TypingContent = z.infer<typeof TypingContent>;

// --- files (issue #6 item 2; effects in core/files) ------------------------

/** Unpadded base64url (RFC 4648 §5), what Buffer's 'base64url' writes. */
const B64Url = (maxChars: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .max(maxChars);

/**
 * A file: what it is, the per-file AES-256-GCM key and chunking to fetch and
 * decrypt its bytes over /parley/file/1.0.0, the SHA-256 of the plaintext to
 * check at the end, an optional thumbnail, and for small files the bytes
 * themselves (`data`), so a file ≤ the inline limit is relayed by mailboxes
 * like text. Sizes are only bounded loosely here: the receiver's limits
 * (core/files/fileLimits.ts) turn a claim it will not take into a visible
 * "refused" file rather than a dropped message.
 */
export const FileContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('file'),
  uid: Uid,
  sentAt: z.number().int().nonnegative(),
  name: z.string().min(1).max(255),
  mime: z.string().min(3).max(127),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** SHA-256 of the whole plaintext, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The 32-byte AES-256-GCM file key. */
  key: B64Url(43),
  chunkSize: z.number().int().positive(),
  chunkCount: z.number().int().positive(),
  thumbnail: z
    .object({
      data: B64Url(Math.ceil((32 * 1024 * 4) / 3)),
      width: z.number().int().min(1).max(65_535),
      height: z.number().int().min(1).max(65_535),
    })
    .optional(),
  /** The plaintext itself for small files (≤ 128 KiB). */
  data: B64Url(Math.ceil((128 * 1024 * 4) / 3)).optional(),
  replyToUid: Uid.optional(),
});
export type FileContent = z.infer<typeof FileContent>;

export type RichContent = ReactionContent | EditContent | DeleteContent | ReceiptContent | TypingContent;

export const Content = z.discriminatedUnion('type', [
  TextContent,
  ProfileContent,
  TimerContent,
  ReactionContent,
  EditContent,
  DeleteContent,
  ReceiptContent,
  TypingContent,
  FileContent,
]);
export type Content = z.infer<typeof Content>;

/** Every type this build handles, read off the union so a new member needs no second list. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(Content.options.map((o) => o.shape.type.value));

const Envelope = z.object({ v: z.literal(CONTENT_VERSION), type: z.string().max(64) }).loose();

export function encodeContent(c: Content): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(c), 'utf8'));
}

/**
 * The content, 'unknown' for a well-formed message of a type (or a version)
 * this build does not handle, or null for anything malformed.
 */
export function decodeContent(bytes: Uint8Array): Content | 'unknown' | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  const parsed = Content.safeParse(json);
  if (parsed.success) return parsed.data;
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== CONTENT_VERSION)
    return 'unknown';
  const head = Envelope.safeParse(json);
  if (head.success && !KNOWN_TYPES.has(head.data.type)) return 'unknown';
  return null;
}
