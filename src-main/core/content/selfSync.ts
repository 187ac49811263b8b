import type { Store } from '../store/store';
import type { SyncStamp } from '../store/repositories/syncStateRepository';
import type { Logger } from '../util/logger';
import {
  decodeSync,
  encodeSync,
  type SyncContact,
  type SyncContent,
  type SyncRefusal,
  type SyncSettingKey,
} from './syncContent';

/** The MLS sender of a sync message (what the inbound router's ContentOrigin holds). */
interface SyncSender {
  peerId: string;
  identityKey: Uint8Array;
}

/**
 * Own devices' sync (issue 18, docs/protocol.md §13.6 "The self group"),
 * both ways, on the database alone (the self group's sending is
 * groups/selfGroup.ts's):
 *
 * - `recordSync` is called INSIDE the transaction that makes a local change
 *   (a read, a rename, a block…): it stamps each changed field with `(at,
 *   this PeerId)`, `at` raised past every stamp seen (Lamport, like the
 *   timer's stamp), and queues the sync message in `sync_outbox`. Both
 *   commit with the change or not at all; the self group sends the row
 *   later and deletes it in the send's own transaction.
 * - `applySync` is called by the inbound router for a message of the self
 *   group: from one's own identity only, schema-checked, and each field
 *   applied only when its stamp beats the stored one (higher `at`, then
 *   higher PeerId), through the same repositories a local change uses, so
 *   the change feed refreshes the shells. Two devices editing the same field
 *   at once end with the same value on both, whatever order they hear it in.
 *
 * LWW is per field, not per record (`contact:<key>:blocked`, not
 * `contact:<key>`): a rename on one device and a block on the other at the
 * same moment both survive. Read state is not last-writer-wins: a read mark
 * only moves forward, so the furthest read wins.
 */

export type SyncChange =
  | { type: 'sync.read'; groupId: Uint8Array; upToUid: string }
  | { type: 'sync.deviceName'; peerId: string; name: string | null }
  | {
      type: 'sync.contact';
      identityKey: Uint8Array;
      op: 'upsert' | 'remove';
      localName?: string | null;
      verifiedAt?: number | null;
      blocked?: boolean;
    }
  | {
      type: 'sync.setting';
      key: SyncSettingKey;
      value: 'true' | 'false';
    }
  | { type: 'sync.conversation'; groupId: Uint8Array; notify: 'all' | 'mentions' | 'muted' };

type SyncRepos = Pick<Store, 'syncState' | 'deviceLists'>;

/** This device as a sync message's author: its PeerId and its person's identity key. */
export interface SyncSelf {
  peerId: string;
  identityKey: Uint8Array;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Whether this person has another active device to tell (else nothing is queued: a link copies the state). */
function hasOtherDevice(store: SyncRepos, self: SyncSelf): boolean {
  return store.deviceLists
    .devices(self.identityKey)
    .some((d) => d.removedSeq === null && d.peerId !== self.peerId);
}

/** The fields a sync message sets, each with the key of its stamp. */
function fieldKeys(c: SyncContent): string[] {
  switch (c.type) {
    case 'sync.read':
      return [];
    case 'sync.deviceName':
      return [`device:${c.peerId}:name`];
    case 'sync.setting':
      return [`setting:${c.key}`];
    case 'sync.conversation':
      return [`conversation:${c.groupId}:notify`];
    case 'sync.contact':
      return contactFields(c).map((f) => `contact:${c.identityKey}:${f}`);
  }
}

function contactFields(c: SyncContact): ('removed' | 'localName' | 'verifiedAt' | 'blocked')[] {
  if (c.op === 'remove') return ['removed'];
  const out: ('localName' | 'verifiedAt' | 'blocked')[] = [];
  if (c.localName !== undefined) out.push('localName');
  if (c.verifiedAt !== undefined) out.push('verifiedAt');
  if (c.blocked !== undefined) out.push('blocked');
  return out;
}

function toContent(change: SyncChange, at: number): SyncContent {
  const v = 1 as const;
  switch (change.type) {
    case 'sync.read':
      return { v, type: change.type, groupId: hex(change.groupId), upToUid: change.upToUid, at };
    case 'sync.conversation':
      return { v, type: change.type, groupId: hex(change.groupId), notify: change.notify, at };
    case 'sync.contact': {
      const { identityKey, ...rest } = change;
      return { v, ...rest, identityKey: hex(identityKey), at };
    }
    default:
      return { v, ...change, at };
  }
}

/**
 * Queues a local change for this person's other devices; call inside the
 * change's transaction. Returns false (nothing queued) when there is no
 * other active device.
 */
export function recordSync(store: SyncRepos, self: SyncSelf, now: number, change: SyncChange): boolean {
  const { peerId } = self;
  if (peerId === '' || !hasOtherDevice(store, self)) return false;
  const at = Math.max(now, store.syncState.highestAt() + 1);
  const content = toContent(change, at);
  for (const key of fieldKeys(content)) store.syncState.setStamp(key, { at, peerId });
  store.syncState.enqueue(Buffer.from(encodeSync(content)).toString('utf8'), now);
  return true;
}

/** Whether `incoming` beats `stored` (§13.6: by `at`, then by PeerId). */
export function stampWins(incoming: SyncStamp, stored: SyncStamp | null): boolean {
  if (stored === null) return true;
  if (incoming.at !== stored.at) return incoming.at > stored.at;
  return incoming.peerId > stored.peerId;
}

/** What an applied sync message changed, for the shells' events the change feed does not cover. */
export type SyncApplied = 'conversations' | 'contacts' | 'devices' | 'settings' | null;

export type SyncVerdict = { applied: SyncApplied } | { refused: SyncRefusal | 'not-own-device' };

/**
 * A message of the self group, inside the receive transaction. Anything
 * refused changes nothing (the MLS state still advances: the message was
 * read, it is just not acted on), and is logged without its content.
 */
export function applySync(
  store: Store,
  logger: Logger,
  ownKey: Uint8Array,
  sender: SyncSender,
  plaintext: Uint8Array,
  now: number,
): SyncVerdict {
  if (!Buffer.from(ownKey).equals(Buffer.from(sender.identityKey))) {
    logger.log('warn', 'sync.refused', { reason: 'not-own-device' });
    return { refused: 'not-own-device' };
  }
  const content = decodeSync(plaintext);
  if (typeof content === 'string') {
    logger.log('warn', 'sync.refused', { reason: content });
    return { refused: content };
  }
  const stamp = { at: content.at, peerId: sender.peerId };
  const won = (key: string): boolean => {
    if (!stampWins(stamp, store.syncState.stamp(key))) return false;
    store.syncState.setStamp(key, stamp);
    return true;
  };
  return { applied: applyContent(store, Buffer.from(ownKey), content, won, now) };
}

function applyContent(
  store: Store,
  ownKey: Buffer,
  c: SyncContent,
  won: (key: string) => boolean,
  now: number,
): SyncApplied {
  switch (c.type) {
    case 'sync.read': {
      const conversationId = store.conversations.byGroupId(Buffer.from(c.groupId, 'hex'));
      const message = store.messages.getByUid(c.upToUid);
      if (conversationId === null || message === null || message.conversationId !== conversationId)
        return null;
      // A read mark only moves forward (markRead keeps the max), whichever device read further wins.
      store.conversations.markRead(conversationId, message.id);
      return 'conversations';
    }
    case 'sync.deviceName': {
      const own = store.deviceLists
        .devices(ownKey)
        .some((d) => d.peerId === c.peerId && d.removedSeq === null);
      if (!own || !won(`device:${c.peerId}:name`)) return null;
      store.deviceLists.rename(c.peerId, c.name);
      return 'devices';
    }
    case 'sync.setting':
      if (!won(`setting:${c.key}`)) return null;
      store.settings.set(c.key, c.value);
      return 'settings';
    case 'sync.conversation': {
      const conversationId = store.conversations.byGroupId(Buffer.from(c.groupId, 'hex'));
      if (conversationId === null || !won(`conversation:${c.groupId}:notify`)) return null;
      store.conversations.setNotify(conversationId, c.notify);
      return 'conversations';
    }
    case 'sync.contact':
      return applyContact(store, c, won, now);
  }
}

function applyContact(store: Store, c: SyncContact, won: (key: string) => boolean, now: number): SyncApplied {
  // Only contacts this device has: a contact added on another device arrives by its own way
  // (the grant at link time, the contact's own request); a sync message never creates one.
  const contact = store.contacts.byIdentityKey(Buffer.from(c.identityKey, 'hex'));
  if (contact === null) return null;
  const key = (f: string) => `contact:${c.identityKey}:${f}`;
  let changed = false;
  if (c.op === 'remove') {
    if (won(key('removed'))) {
      store.contacts.setRemoved(contact.id, now);
      changed = true;
    }
    return changed ? 'contacts' : null;
  }
  if (c.localName !== undefined && won(key('localName'))) {
    store.contacts.rename(contact.id, c.localName);
    changed = true;
  }
  if (c.verifiedAt !== undefined && won(key('verifiedAt'))) {
    store.contacts.setVerified(contact.id, c.verifiedAt);
    changed = true;
  }
  if (c.blocked !== undefined && won(key('blocked'))) {
    store.contacts.setBlocked(contact.id, c.blocked);
    changed = true;
  }
  return changed ? 'contacts' : null;
}
