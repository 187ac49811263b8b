import { recordSync, type SyncChange } from '../content/selfSync';
import type { Store } from '../store/store';
import { errorFields } from '../util/logger';
import { thisPeerId } from './devicesPresenter';
import type { HandlerDeps } from './deps';

/**
 * What a handler calls after a local change one's other devices should
 * follow (issue 18, docs/protocol.md §13.6): inside the change's
 * transaction, the sync message is queued (content/selfSync.ts); after it,
 * the running messaging is asked to send it. With messaging off the message
 * waits in `sync_outbox` for the next start.
 */
export type SyncRecorder = (s: Store, changes: SyncChange | readonly SyncChange[]) => void;

export function syncRecorder({
  messaging,
  logger,
}: {
  messaging: Pick<HandlerDeps['messaging'], 'runningOrNull'>;
  logger: HandlerDeps['logger'];
}): SyncRecorder {
  return (s, changes) => {
    const list = Array.isArray(changes) ? (changes as readonly SyncChange[]) : [changes as SyncChange];
    const me = s.identity.get();
    if (!me) return;
    const self = { peerId: thisPeerId(s), identityKey: me.publicKey };
    let queued = false;
    s.tx.run(() => {
      for (const c of list) queued = recordSync(s, self, Date.now(), c) || queued;
    });
    if (!queued) return;
    void messaging
      .runningOrNull()
      .then((m) => m?.service.groups.self.poke())
      .catch((err: unknown) => logger.log('warn', 'sync.send_failed', errorFields(err)));
  };
}

/**
 * Runs a local read (`markRead`) and, when it moved the read mark past a new
 * incoming message, tells the other devices up to which one (`sync.read`):
 * reading on one device clears the unread count on the others, with
 * receipts off too (they never go to other people).
 */
export function readAndSync<T>(record: SyncRecorder, s: Store, conversationId: number, read: () => T): T {
  return s.tx.run(() => {
    const before = s.messages.newestReadIncoming(conversationId)?.uid;
    const result = read();
    const after = s.messages.newestReadIncoming(conversationId);
    const groupId = s.conversations.groupIdOf(conversationId);
    if (after && after.uid !== before && groupId !== null)
      record(s, { type: 'sync.read', groupId, upToUid: after.uid });
    return result;
  });
}
