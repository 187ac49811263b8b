import { ParleyError } from '../errors';
import {
  NotificationCenter,
  readNotificationPrefs,
  selfFromIdentity,
  writeNotificationPrefs,
} from '../content/notifications';
import { setTimer, wakeSweeper } from '../content/timers';
import type { Store } from '../store/store';
import { errorFields } from '../util/logger';
import type { ConversationsRequestName, HandlerDeps, HandlersFor } from './deps';
import { readAndSync, syncRecorder } from './selfSyncRecorder';

/**
 * Handlers of per-conversation settings (contract/areas/conversations.ts) and of contract/areas/notifications.ts, and the watcher behind the
 * `notification` event: it listens on the bus for `messages.changed` (which
 * MessagingHost's ChangeFeed emits after every committed write), so
 * notifications and the disappearing-message sweeper see every new message
 * whichever code path stored it.
 */
export function conversationsHandlers(deps: HandlerDeps): HandlersFor<ConversationsRequestName> {
  const { store, messaging, bus, logger } = deps;
  const record = syncRecorder(deps);
  const storeOrNull = (): Store | null => {
    try {
      return store();
    } catch {
      return null;
    }
  };
  const center = new NotificationCenter({
    emit: (payload) => bus.emit('notifications.show', payload),
    self: selfFromIdentity,
    logger,
  });
  let unlocked: Store | null = null;
  bus.on((name) => {
    if (name === 'profile.changed') {
      // Messages stored before this unlock are history, not news. Other status changes while
      // unlocked (a problem report, "remember") keep the watermark, so nothing is skipped.
      const s = storeOrNull();
      if (s !== unlocked) center.reset(s);
      unlocked = s;
      return;
    }
    if (name !== 'messages.changed') return;
    const s = storeOrNull();
    if (!s) return;
    try {
      center.check(s);
      wakeSweeper(s);
    } catch (err) {
      logger.log('warn', 'notify.check_failed', errorFields(err));
    }
  });

  return {
    'conversations.setTimer': async ({ conversationId, ms }) => {
      const s = store();
      const m = await messaging.running();
      const self = selfFromIdentity(s);
      if (!self) throw new ParleyError('INVALID_STATE', 'This profile has no identity.');
      await setTimer(m.service, s, conversationId, ms, {
        selfKey: Buffer.from(self.identityKeyHex, 'hex'),
        selfPeerId: m.node.peerId,
      });
      return { disappearAfterMs: s.conversations.disappearAfter(conversationId) };
    },
    'conversations.setNotify': ({ conversationId, mode }) => {
      const s = store();
      s.conversations.get(conversationId);
      s.tx.run(() => {
        s.conversations.setNotify(conversationId, mode);
        const groupId = s.conversations.groupIdOf(conversationId);
        if (groupId !== null) record(s, { type: 'sync.conversation', groupId, notify: mode });
      });
      return { notify: mode };
    },
    'conversations.markAllRead': () => {
      const s = store();
      const ids = s.conversations.withUnread();
      s.tx.run(() => {
        for (const id of ids) readAndSync(record, s, id, () => s.conversations.markRead(id));
      });
      return {};
    },
    'notifications.getPrefs': () => readNotificationPrefs(store().settings),
    'notifications.setPrefs': (prefs) => {
      const s = store();
      s.tx.run(() => {
        writeNotificationPrefs(s.settings, prefs);
        const value = prefs.showContent ? 'true' : 'false';
        record(s, { type: 'sync.setting', key: 'notifications.showContent', value });
      });
      return readNotificationPrefs(s.settings);
    },
  };
}
