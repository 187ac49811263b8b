import { z } from 'zod';

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
const B64 = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(4096);
const PeerId = z.string().min(1).max(128);

export const TextContent = z.object({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('text'),
  uid: Uid,
  /** The sender's clock, ms. */
  sentAt: z.number().int().nonnegative(),
  body: z.string().min(1).max(MAX_TEXT_CHARS),
  replyToUid: Uid.optional(),
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
});
export type ProfileContent = z.infer<typeof ProfileContent>;

export const Content = z.discriminatedUnion('type', [TextContent, ProfileContent]);
export type Content = z.infer<typeof Content>;

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
  if (head.success && head.data.type !== 'text' && head.data.type !== 'profile') return 'unknown';
  return null;
}
