import { encodeRequiredCapabilities, type Capabilities, type Extension } from 'ts-mls';
import { SUPPORTED_MLS_SUITES } from './suites';

/**
 * Parley's MLS extensions, numbered in the private-use range 0xF000–0xFFFF
 * (RFC 9420 §17.3), and the capabilities every Parley leaf advertises
 * (RFC 9420 §7.2).
 */

/** GroupContext extension: group kind, name and roles (RFC 9420 §11.1, §12.1.7). */
export const GROUP_METADATA_EXTENSION = 0xfa01;
/**
 * KeyPackage extension marking the device's last-resort package: the one
 * handed out when the one-time pool is empty, and reusable (RFC 9420 §16.8
 * recommends one-time use; the last resort trades that for reachability).
 */
export const LAST_RESORT_EXTENSION = 0xfa02;

/**
 * GroupContext extension: the device-list head of every user in the group
 * that has a list (docs/protocol.md §13.4, §13.6). Leaves of a user's
 * devices are judged against the head pinned here, which every member agrees
 * on, not against whatever head each member happens to hold.
 */
export const DEVICE_HEADS_EXTENSION = 0xfa03;

export type Role = 'owner' | 'admin' | 'member';
/**
 * `self` (issue 18, docs/protocol.md §13.6 "The self group"): a group that
 * holds only the devices of one person, who is its owner; it carries what
 * that person's devices tell each other (read state, device names, contacts,
 * settings) and never shows as a conversation.
 */
export type GroupKind = 'group' | 'dm' | 'self';

/** Roles keyed by hex identity key; absent means 'member'. */
export type RoleMap = ReadonlyMap<string, 'owner' | 'admin'>;

export interface GroupMetadata {
  readonly kind: GroupKind;
  readonly name: string;
  readonly roles: RoleMap;
}

const VERSION = 1;
export const MAX_NAME_BYTES = 1024;
const ROLE_CODES = { admin: 1, owner: 2 } as const;
const KIND_CODES = { group: 0, dm: 1, self: 2 } as const;
const KINDS: readonly GroupKind[] = ['group', 'dm', 'self'];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Binary layout, version 1 (all integers big-endian):
 *   u8 version | u8 kind (0 group, 1 dm, 2 self) | u16 len, name (UTF-8)
 *   | u16 count | count × (identity_key[32] | u8 role (1 admin, 2 owner))
 * Role entries are sorted by identity key and unique, so equal metadata has
 * equal bytes (members compare GroupContexts byte for byte, RFC 9420 §8.1).
 */
export function encodeGroupMetadata(m: GroupMetadata): Uint8Array {
  const name = Buffer.from(m.name, 'utf8');
  if (name.length > MAX_NAME_BYTES) throw new RangeError('group name too long');
  const entries = [...m.roles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = Buffer.alloc(1 + 1 + 2 + name.length + 2 + entries.length * 33);
  let o = out.writeUInt8(VERSION, 0);
  o = out.writeUInt8(KIND_CODES[m.kind], o);
  o = out.writeUInt16BE(name.length, o);
  o += name.copy(out, o);
  o = out.writeUInt16BE(entries.length, o);
  for (const [key, role] of entries) {
    const k = Buffer.from(key, 'hex');
    if (k.length !== 32) throw new RangeError('identity key must be 32 bytes');
    o += k.copy(out, o);
    o = out.writeUInt8(ROLE_CODES[role], o);
  }
  return new Uint8Array(out);
}

/** Parses metadata; null for anything malformed or non-canonical (never throws on hostile input). */
export function decodeGroupMetadata(bytes: Uint8Array): GroupMetadata | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 6 || b[0] !== VERSION) return null;
  const kind = KINDS[b[1] ?? 255];
  if (kind === undefined) return null;
  const nameLen = b.readUInt16BE(2);
  if (nameLen > MAX_NAME_BYTES || 4 + nameLen + 2 > b.length) return null;
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(4, 4 + nameLen));
  } catch {
    return null;
  }
  let o = 4 + nameLen;
  const count = b.readUInt16BE(o);
  o += 2;
  if (o + count * 33 !== b.length) return null;
  const roles = new Map<string, 'owner' | 'admin'>();
  let previous = '';
  for (let i = 0; i < count; i++, o += 33) {
    const key = b.subarray(o, o + 32).toString('hex');
    const code = b[o + 32];
    if (key <= previous) return null;
    previous = key;
    if (code === ROLE_CODES.admin) roles.set(key, 'admin');
    else if (code === ROLE_CODES.owner) roles.set(key, 'owner');
    else return null;
  }
  return { kind, name, roles };
}

export function metadataExtension(m: GroupMetadata): Extension {
  return { extensionType: GROUP_METADATA_EXTENSION, extensionData: encodeGroupMetadata(m) };
}

/** The metadata in a GroupContext's extensions, or null when absent or malformed. */
export function findGroupMetadata(extensions: readonly Extension[]): GroupMetadata | null {
  const found = extensions.filter((e) => e.extensionType === GROUP_METADATA_EXTENSION);
  return found.length === 1 && found[0] ? decodeGroupMetadata(found[0].extensionData) : null;
}

export function roleOf(roles: RoleMap, identityKey: Uint8Array): Role {
  return roles.get(hex(identityKey)) ?? 'member';
}

export const lastResortExtension: Extension = {
  extensionType: LAST_RESORT_EXTENSION,
  extensionData: new Uint8Array(0),
};

export function isLastResort(extensions: readonly Extension[]): boolean {
  return extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION);
}

/** What every Parley leaf supports: both suites, basic credentials, our three extensions. */
export function parleyCapabilities(): Capabilities {
  return {
    versions: ['mls10'],
    ciphersuites: [...SUPPORTED_MLS_SUITES],
    extensions: [GROUP_METADATA_EXTENSION, LAST_RESORT_EXTENSION, DEVICE_HEADS_EXTENSION],
    proposals: [],
    credentials: ['basic'],
  };
}

/**
 * RFC 9420 §11.1: every member must understand the metadata extension and
 * use basic credentials; ts-mls then refuses to add a leaf that does not.
 */
export function requiredCapabilitiesExtension(): Extension {
  return {
    extensionType: 'required_capabilities',
    extensionData: encodeRequiredCapabilities({
      extensionTypes: [GROUP_METADATA_EXTENSION],
      proposalTypes: [],
      credentialTypes: ['basic'],
    }),
  };
}

/** One user's pinned device-list head (docs/protocol.md §13.3: `head = (seq, SHA-256 of the last entry)`). */
export interface PinnedHead {
  readonly seq: number;
  readonly hash: Uint8Array;
}

/** Pinned heads keyed by hex identity key. */
export type PinnedHeads = ReadonlyMap<string, PinnedHead>;

const HEADS_VERSION = 1;
const HEAD_BYTES = 32 + 4 + 32;

/**
 * Binary layout, version 1: `u8 version | u16 count | count × (identity_key[32]
 * | u32 seq | hash[32])`, sorted by identity key and unique, so equal heads
 * are equal bytes (RFC 9420 §8.1).
 */
export function encodeDeviceHeads(heads: PinnedHeads): Uint8Array {
  const entries = [...heads.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = Buffer.alloc(3 + entries.length * HEAD_BYTES);
  let o = out.writeUInt8(HEADS_VERSION, 0);
  o = out.writeUInt16BE(entries.length, o);
  for (const [key, head] of entries) {
    const k = Buffer.from(key, 'hex');
    if (k.length !== 32 || head.hash.length !== 32)
      throw new RangeError('identity key and hash are 32 bytes');
    o += k.copy(out, o);
    o = out.writeUInt32BE(head.seq, o);
    o += Buffer.from(head.hash).copy(out, o);
  }
  return new Uint8Array(out);
}

/** Parses pinned heads; null for anything malformed or non-canonical (never throws). */
export function decodeDeviceHeads(bytes: Uint8Array): PinnedHeads | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 3 || b[0] !== HEADS_VERSION) return null;
  const count = b.readUInt16BE(1);
  if (3 + count * HEAD_BYTES !== b.length) return null;
  const heads = new Map<string, PinnedHead>();
  let previous = '';
  for (let i = 0, o = 3; i < count; i++, o += HEAD_BYTES) {
    const key = b.subarray(o, o + 32).toString('hex');
    if (key <= previous) return null;
    previous = key;
    heads.set(key, { seq: b.readUInt32BE(o + 32), hash: new Uint8Array(b.subarray(o + 36, o + 68)) });
  }
  return heads;
}

/**
 * The heads a Remove commit of one's own devices stands on, carried in the
 * commit's authenticated_data (RFC 9420 §6.3: signed and bound to the
 * message, not encrypted): `"PRH1" | heads encoding`. Why not 0xFA03 in the
 * same commit: ts-mls 1.6.4 encrypts an UpdatePath (which every Remove
 * needs) under the GroupContext before the commit's GroupContextExtensions,
 * while receivers decrypt under the one after (RFC 9420 §12.4.2 says
 * after), so a Remove and a GroupContextExtensions in one commit cannot be
 * read. A removed device never returns to a list (§13.3 rule 3), so "removed
 * at a head that extends the pinned one" is as deterministic as "removed at
 * the pinned head".
 */
const REMOVAL_HEADS_MAGIC = Buffer.from('PRH1');

export function encodeRemovalHeads(heads: PinnedHeads): Uint8Array {
  return new Uint8Array(Buffer.concat([REMOVAL_HEADS_MAGIC, encodeDeviceHeads(heads)]));
}

/** Heads in a commit's authenticated_data; empty when it carries none or something else. */
export function decodeRemovalHeads(aad: Uint8Array): PinnedHeads {
  const b = Buffer.from(aad.buffer, aad.byteOffset, aad.byteLength);
  if (b.length < 4 || !b.subarray(0, 4).equals(REMOVAL_HEADS_MAGIC)) return new Map();
  return decodeDeviceHeads(b.subarray(4)) ?? new Map();
}

export function deviceHeadsExtension(heads: PinnedHeads): Extension {
  return { extensionType: DEVICE_HEADS_EXTENSION, extensionData: encodeDeviceHeads(heads) };
}

/**
 * The pinned heads of a GroupContext: empty when the group pins none (a
 * group from before issue 18, or one without a device-list user yet); null
 * when the extension is there twice or malformed.
 */
export function findDeviceHeads(extensions: readonly Extension[]): PinnedHeads | null {
  const found = extensions.filter((e) => e.extensionType === DEVICE_HEADS_EXTENSION);
  if (found.length === 0) return new Map();
  return found.length === 1 && found[0] ? decodeDeviceHeads(found[0].extensionData) : null;
}
