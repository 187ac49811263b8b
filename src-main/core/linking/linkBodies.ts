import { z } from 'zod';
import { DEVICE_PLATFORMS } from '../identity/deviceListEntry';

/**
 * The two sealed bodies of a link (docs/protocol.md §13.5): JoinBody (N → E,
 * after N's user confirmed the SAS) and GrantBody (E → N, after E appended
 * add(N)). Inside AES-256-GCM frames (linkCipher.ts), so they are versioned
 * JSON with bytes as base64url, checked field by field with limits: a body
 * that breaks any rule is refused whole (`LinkBodyError`), nothing of it is
 * used.
 */
export const LINK_BODY_VERSION = 1;
/** A grant may carry avatars and many contacts; anything beyond this is refused before parsing. */
export const MAX_GRANT_BYTES = 64 * 1024 * 1024;
export const MAX_JOIN_BYTES = 1024 * 1024;

/**
 * The settings a new device takes over (§13.5 "settings from an allowlist"):
 * chat preferences, file limits, notification content, relaying for
 * contacts. Device-local ones (listen port, beacon key, public addresses,
 * UPnP, discoverable, remember-on-device, backup schedule) are never sent.
 * The privacy object is sent with `invisible` and `relayForContacts` only.
 */
export const GRANT_SETTINGS_ALLOWLIST = [
  'chat.readReceipts',
  'chat.typingIndicators',
  'notifications.showContent',
  'files.maxReceiveBytes',
  'files.inlineMaxBytes',
  'files.autoDownloadMaxBytes',
  'net.relay.forContacts',
  'privacy',
] as const;
export type GrantSettingKey = (typeof GRANT_SETTINGS_ALLOWLIST)[number];

export class LinkBodyError extends Error {
  constructor(what: string) {
    super(`link body refused: ${what}`);
    this.name = 'LinkBodyError';
  }
}

const b64 = (min: number, max: number) =>
  z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9_-]*$/)
    .transform((s, ctx) => {
      const bytes = new Uint8Array(Buffer.from(s, 'base64url'));
      if (Buffer.from(bytes).toString('base64url') !== s || bytes.length < min || bytes.length > max) {
        ctx.addIssue({ code: 'custom', message: `bytes ${min}–${max}` });
        return z.NEVER;
      }
      return bytes as Uint8Array;
    });
const key32 = b64(32, 32);
const text = (maxBytes: number) =>
  z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= maxBytes, `at most ${maxBytes} bytes`);
const time = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const JoinBodySchema = z.strictObject({
  v: z.literal(LINK_BODY_VERSION),
  mlsSignatureKey: key32,
  possession: b64(64, 64),
  mlsPossession: b64(64, 64),
  sealPublicKey: b64(1216, 1216),
  platform: z.enum(DEVICE_PLATFORMS),
  name: text(64),
  wantFiles: z.boolean(),
  /** One per group of E plus a few (§13.6); each a KeyPackage MLSMessage. */
  keyPackages: z.array(b64(1, 16 * 1024)).max(1100),
});
export type JoinBody = z.output<typeof JoinBodySchema>;

const GrantDevice = z.strictObject({
  peerId: text(128).refine((s) => s.length > 0, 'PeerId'),
  certificate: b64(1, 512).optional(),
  sealPublicKey: b64(1216, 1216).optional(),
  addresses: z.array(text(512)).max(16),
  /** The device's signed address record (§11), stored byte for byte. */
  addressRecord: b64(1, 4096).optional(),
});

const GrantContact = z.strictObject({
  identityKey: key32,
  displayName: text(256),
  localName: text(256).optional(),
  statusText: text(1024).optional(),
  avatar: b64(1, 512 * 1024).optional(),
  verifiedAt: time.optional(),
  blocked: z.boolean(),
  relayFor: z.boolean(),
  previousIdentityKey: key32.optional(),
  keyChangedAt: time.optional(),
  devices: z.array(GrantDevice).max(16),
  /** The contact's device list as E holds it (§13.3), when it has one. */
  deviceList: z.array(b64(1, 1024)).max(1024).optional(),
});

const GrantConversation = z.strictObject({
  groupId: b64(1, 256),
  kind: z.enum(['dm', 'group']),
  name: text(256).optional(),
  notify: z.enum(['all', 'mentions', 'muted']),
  archived: z.boolean(),
  /** The other person of a DM. */
  dmWith: key32.optional(),
});

const GrantBodySchema = z.strictObject({
  v: z.literal(LINK_BODY_VERSION),
  /** The person's whole device list, entry 0 first, N's add last. */
  entries: z.array(b64(1, 1024)).min(2).max(1024),
  profile: z.strictObject({
    displayName: text(256).refine((s) => s.trim().length > 0, 'display name'),
    statusText: text(1024).optional(),
    avatar: b64(1, 512 * 1024).optional(),
    /** The current signed profile card (settings `profile.card`). */
    card: b64(1, 1024 * 1024).optional(),
  }),
  contacts: z.array(GrantContact).max(10_000),
  settings: z
    .array(z.tuple([z.enum(GRANT_SETTINGS_ALLOWLIST), text(4096)]))
    .max(GRANT_SETTINGS_ALLOWLIST.length),
  conversations: z.array(GrantConversation).max(10_000),
  history: z.strictObject({
    transferId: b64(16, 16),
    bytes: time,
    messages: time,
  }),
});
export type GrantBody = z.output<typeof GrantBodySchema>;
export type GrantContact = GrantBody['contacts'][number];
export type GrantConversation = GrantBody['conversations'][number];

/** Bytes → base64url, recursively, for JSON. */
function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, toJson(v)]])),
    );
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parse<S extends z.ZodType>(schema: S, bytes: Uint8Array, max: number, what: string): z.output<S> {
  if (bytes.length > max) throw new LinkBodyError(`${what} too large`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new LinkBodyError(`${what} is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new LinkBodyError(`${what}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return result.data;
}

function encode(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(toJson(value)), 'utf8'));
}

export function encodeJoinBody(body: Omit<JoinBody, 'v'>): Uint8Array {
  return encode({ v: LINK_BODY_VERSION, ...body });
}

export function decodeJoinBody(bytes: Uint8Array): JoinBody {
  return parse(JoinBodySchema, bytes, MAX_JOIN_BYTES, 'join');
}

export function encodeGrantBody(body: Omit<GrantBody, 'v'>): Uint8Array {
  return encode({ v: LINK_BODY_VERSION, ...body });
}

export function decodeGrantBody(bytes: Uint8Array): GrantBody {
  const body = parse(GrantBodySchema, bytes, MAX_GRANT_BYTES, 'grant');
  const keys = body.settings.map(([k]) => k);
  if (new Set(keys).size !== keys.length) throw new LinkBodyError('grant: a setting twice');
  const ids = body.contacts.map((c) => Buffer.from(c.identityKey).toString('hex'));
  if (new Set(ids).size !== ids.length) throw new LinkBodyError('grant: a contact twice');
  const groups = body.conversations.map((c) => Buffer.from(c.groupId).toString('hex'));
  if (new Set(groups).size !== groups.length) throw new LinkBodyError('grant: a conversation twice');
  return body;
}
