import { z } from 'zod';
import { CONTENT_VERSION } from './content';

/**
 * What one's own devices tell each other in their self group (issue 18,
 * docs/protocol.md §13.6 "The self group"): UTF-8 JSON, `v: 1`, checked with
 * strict schemas (an unknown field is refused, not ignored: these change
 * local state). Each carries `at`, its Lamport stamp; the sending device is
 * the MLS sender, so the PeerId of the `(at, PeerId)` pair is never in the
 * body. Only sent in, and only accepted from, the self group.
 */

/** A sync message's bytes at most (far below the 256 KiB envelope: these are settings, not content). */
export const MAX_SYNC_BYTES = 8 * 1024;

const Stamp = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const GroupIdHex = z.string().regex(/^[0-9a-f]{2,64}$/);
const IdentityHex = z.string().regex(/^[0-9a-f]{64}$/);
const Uid = z.string().regex(/^[0-9a-f]{32}$/);
const PeerId = z.string().min(1).max(128);

/**
 * Settings that belong to the person, not the machine: whether they tell
 * others when they read and type (a contact would be confused to get
 * receipts from one of Ann's devices and none from the other), and whether
 * notifications show message text (a privacy choice about the person's
 * screens). Device-local ones never sync: the listen port, discoverable,
 * UPnP, public addresses and relaying describe one machine's network; file
 * size limits one machine's disk; the remembered passphrase and backup
 * schedule one machine's keychain and folders. Values are the settings
 * table's text ('true' / 'false').
 */
export const SYNC_SETTINGS = [
  'chat.readReceipts',
  'chat.typingIndicators',
  'notifications.showContent',
] as const;
export type SyncSettingKey = (typeof SYNC_SETTINGS)[number];

export const SyncRead = z.strictObject({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('sync.read'),
  groupId: GroupIdHex,
  upToUid: Uid,
  at: Stamp,
});

export const SyncDeviceName = z.strictObject({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('sync.deviceName'),
  peerId: PeerId,
  /** null clears the name (the platform is shown). */
  name: z.string().min(1).max(64).nullable(),
  at: Stamp,
});

export const SyncContact = z.strictObject({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('sync.contact'),
  identityKey: IdentityHex,
  op: z.enum(['upsert', 'remove']),
  localName: z.string().min(1).max(256).nullable().optional(),
  verifiedAt: Stamp.nullable().optional(),
  blocked: z.boolean().optional(),
  at: Stamp,
});

export const SyncSetting = z.strictObject({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('sync.setting'),
  key: z.enum(SYNC_SETTINGS),
  value: z.enum(['true', 'false']),
  at: Stamp,
});

export const SyncConversation = z.strictObject({
  v: z.literal(CONTENT_VERSION),
  type: z.literal('sync.conversation'),
  groupId: GroupIdHex,
  notify: z.enum(['all', 'mentions', 'muted']),
  at: Stamp,
});

export const SyncContent = z.discriminatedUnion('type', [
  SyncRead,
  SyncDeviceName,
  SyncContact,
  SyncSetting,
  SyncConversation,
]);
export type SyncContent = z.infer<typeof SyncContent>;
export type SyncRead = z.infer<typeof SyncRead>;
export type SyncDeviceName = z.infer<typeof SyncDeviceName>;
export type SyncContact = z.infer<typeof SyncContact>;
export type SyncSetting = z.infer<typeof SyncSetting>;
export type SyncConversation = z.infer<typeof SyncConversation>;

/** Why a sync message was refused, for the log (never shown: the sender is one's own device). */
export type SyncRefusal = 'oversize' | 'malformed' | 'unknown-type';

const SYNC_TYPES: ReadonlySet<string> = new Set(SyncContent.options.map((o) => o.shape.type.value));

/** True when the bytes claim a `sync.*` type (whatever else they hold): such content belongs in the self group only. */
export function claimsSync(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    'type' in json &&
    typeof json.type === 'string' &&
    json.type.startsWith('sync.')
  );
}

export function encodeSync(c: SyncContent): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(c), 'utf8'));
  if (bytes.length > MAX_SYNC_BYTES) throw new RangeError('sync message too large');
  return bytes;
}

/** The sync message, or why it is refused. */
export function decodeSync(bytes: Uint8Array): SyncContent | SyncRefusal {
  if (bytes.length > MAX_SYNC_BYTES) return 'oversize';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'malformed';
  }
  const parsed = SyncContent.safeParse(json);
  if (parsed.success) return parsed.data;
  if (claimsSync(json) && !SYNC_TYPES.has((json as { type: string }).type)) return 'unknown-type';
  return 'malformed';
}
