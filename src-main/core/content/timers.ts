import { randomBytes } from 'node:crypto';
import { ParleyError } from '../errors';
import type { TimerRepository } from '../store/repositories/timerRepository';
import type { Store } from '../store/store';
import { personOf, SYSTEM_EVENT_VERSION } from '../store/systemEvent';
import type { Logger } from '../util/logger';
import { CONTENT_VERSION, MAX_TIMER_MS, MIN_TIMER_MS, type TimerContent } from './content';

/**
 * Disappearing messages (issue #6 item 3): a per-conversation timer that any
 * member of a DM, and only an owner or admin of a group, may set. The change
 * travels as a `timer` MLS application message (content.ts), so it is
 * authenticated by the sender's MLS leaf; every device checks the sender's
 * role itself and ignores a change it may not make.
 *
 * Which clock: a message expires `timer` after it reached *this* device
 * (`received_at`, see MessageRepository.insert); for our own messages that is
 * when we sent them. The sender's `sentAt` is never used for expiry: it comes
 * from another machine's clock, and a peer whose clock runs hours ahead or
 * behind (or lies) would otherwise make our copy vanish at once or never.
 * The cost: a message that waited in a mailbox for a day lives its full timer
 * after arrival. That errs on the side of letting the reader see it, which is
 * what the sender asked for. There is no RFC for this; Signal documents the
 * same arrival-based rule for its receivers.
 *
 * Which change wins: MLS (RFC 9420 §14) orders handshake messages through
 * epochs but gives application messages from different senders no common
 * order, and a change may wait in a mailbox for days. Each change is stamped
 * like a Lamport clock — the sender's time, raised above the last change its
 * device applied — and every device applies a change only when its (stamp,
 * sender key) is greater than the one in effect (migration 0012). All
 * devices compare the same values, so they agree; a change made after seeing
 * another always wins over it, whatever the clocks say.
 */

/**
 * Whether the user with this identity key may change the conversation's
 * timer: any current member of a DM, an owner or admin of a group. Roles come
 * from the members table, which mirrors the MLS group state after every
 * commit (MessagingService.syncMembers).
 */
export function mayChangeTimer(
  timers: Pick<TimerRepository, 'roleOf'>,
  conversationId: number,
  identityKey: Uint8Array,
): boolean {
  const row = timers.roleOf(conversationId, identityKey);
  if (!row) return false;
  return row.kind === 'dm' || row.role === 'owner' || row.role === 'admin';
}

/** A timer change's place in the order: Lamport stamp, sender identity key, sending device. */
export interface TimerOrder {
  at: number;
  by: Uint8Array | null;
  /** The sending device's PeerId; null for a change applied before migration 0021. */
  peer: string | null;
}

/**
 * Whether a change stamped (at, by, peer) wins over the one in effect: a
 * later stamp; at the same stamp a greater sender identity key; with the same
 * key (two devices of one person) a greater PeerId, compared as the bytes of
 * its text. A fixed tie-break every device computes alike, so two admins, or
 * two devices of one admin, changing it at once still converge. Null ranks
 * below any key or PeerId; an identical triple is the same change, not newer.
 */
export function isNewerChange(
  change: { at: number; by: Uint8Array; peer: string },
  last: TimerOrder,
): boolean {
  if (change.at !== last.at) return change.at > last.at;
  if (last.by === null) return true;
  const byKey = Buffer.compare(Buffer.from(change.by), Buffer.from(last.by));
  if (byKey !== 0) return byKey > 0;
  if (last.peer === null) return true;
  return Buffer.compare(Buffer.from(change.peer, 'utf8'), Buffer.from(last.peer, 'utf8')) > 0;
}

/**
 * Sets the timer and writes the notice into the chat (a `timerChanged` event: the renderer words it), inside the caller's
 * transaction. The notice itself never expires: it is what tells a reader
 * why later messages vanish.
 */
function applyTimerChange(
  store: Store,
  change: {
    conversationId: number;
    uid: string;
    senderKey: Buffer;
    /** The sending device's PeerId (the tie-break between one person's devices). */
    senderPeer: string;
    outgoing: boolean;
    /** The name the changer goes by here ('' when unknown: the renderer says "Someone"). */
    actorName: string;
    ms: number | null;
    sentAt: number;
    receivedAt: number;
  },
): number {
  store.conversations.setDisappearing(change.conversationId, change.ms);
  store.timers.recordChange(change.conversationId, change.sentAt, change.senderKey, change.senderPeer);
  const { id } = store.messages.insert({
    conversationId: change.conversationId,
    uid: change.uid,
    senderKey: change.senderKey,
    outgoing: change.outgoing,
    kind: 'system',
    body: null,
    event: {
      v: SYSTEM_EVENT_VERSION,
      kind: 'timerChanged',
      actor: personOf(change.senderKey, change.actorName),
      ms: change.ms,
    },
    sentAt: change.sentAt,
    receivedAt: change.receivedAt,
    state: change.outgoing ? 'delivered' : 'received',
  });
  store.timers.keepForever(id);
  return id;
}

/**
 * A `timer` message from another member, applied inside the transaction that
 * stores the group state it was decrypted with. A change from someone who may
 * not make it (a plain member of a group) is ignored with a log line; the
 * MLS state still advances, so the conversation does not stall on it.
 */
export function receiveTimer(
  store: Store,
  logger: Logger,
  conversationId: number,
  sender: { identityKey: Uint8Array; peerId: string },
  content: TimerContent,
  now: number,
  /** Made on another device of this person (§13.6): stored as ours, worded "You" like a text from there. */
  own = false,
): void {
  if (!mayChangeTimer(store.timers, conversationId, sender.identityKey)) {
    logger.log('warn', 'messaging.timer_refused', { conversation: conversationId, reason: 'not-admin' });
    return;
  }
  const last = store.timers.lastChange(conversationId);
  if (!isNewerChange({ at: content.sentAt, by: sender.identityKey, peer: sender.peerId }, last)) {
    // Superseded while it travelled (a mailbox, a concurrent change): the newer one stays.
    logger.log('info', 'messaging.timer_stale', { conversation: conversationId });
    return;
  }
  applyTimerChange(store, {
    conversationId,
    uid: content.uid,
    senderKey: Buffer.from(sender.identityKey),
    senderPeer: sender.peerId,
    outgoing: own,
    actorName: own ? '' : (store.contacts.nameOf(sender.identityKey) ?? ''),
    ms: content.ms,
    sentAt: content.sentAt,
    receivedAt: now,
  });
  logger.log('info', 'messaging.timer_changed', { conversation: conversationId, ms: content.ms });
}

/** What setTimer needs of a running MessagingService. */
export interface TimerSender {
  sendContent(
    conversationId: number,
    content: TimerContent,
    row: (recipients: number) => number,
  ): Promise<number | null>;
}

/**
 * This user changes the timer: checked against our own role first (a group
 * member gets a clear error rather than a change everyone else would drop),
 * then sent to every device with the new setting and the notice in one
 * transaction.
 */
export async function setTimer(
  service: TimerSender,
  store: Store,
  conversationId: number,
  ms: number | null,
  options: { selfKey: Uint8Array; selfPeerId: string; now?: () => number },
): Promise<void> {
  if (ms !== null && (!Number.isInteger(ms) || ms < MIN_TIMER_MS || ms > MAX_TIMER_MS)) {
    throw new ParleyError('INVALID_PARAMS', 'Pick a disappearing-message time from the list.');
  }
  const selfKey = Buffer.from(options.selfKey);
  const conversation = store.conversations.get(conversationId);
  if (!mayChangeTimer(store.timers, conversationId, selfKey)) {
    throw new ParleyError(
      'INVALID_STATE',
      conversation.kind === 'group'
        ? 'Only group owners and admins can change disappearing messages.'
        : 'You are no longer in this conversation.',
    );
  }
  // Stamped after every change this device has seen, so it wins wherever those are known too.
  // (A change arriving during the encryption below could still carry a higher stamp; then this
  // device shows ours until the next change while the others keep that one: a window of one
  // encryption, accepted rather than re-encrypting under the conversation's lock.)
  const receivedAt = (options.now ?? Date.now)();
  const sentAt = Math.max(receivedAt, store.timers.lastChange(conversationId).at + 1);
  const content: TimerContent = {
    v: CONTENT_VERSION,
    type: 'timer',
    uid: randomBytes(16).toString('hex'),
    sentAt,
    ms,
  };
  await service.sendContent(conversationId, content, () =>
    applyTimerChange(store, {
      conversationId,
      uid: content.uid,
      senderKey: selfKey,
      senderPeer: options.selfPeerId,
      outgoing: true,
      // This user: the renderer says "You" (the event carries the key).
      actorName: '',
      ms,
      sentAt,
      receivedAt,
    }),
  );
}

/**
 * Makes the sweeper run when the soonest message expires, rather than at its
 * next idle re-check: called after new messages were stored.
 */
export function wakeSweeper(store: Store): void {
  const next = store.timers.soonestExpiry();
  if (next !== null) store.sweeper.wakeBy(next);
}
