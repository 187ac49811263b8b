import { ParleyError } from '../errors';
import { readChatPreferences, writeChatPreferences } from '../content/chatPreferences';
import { syncRecorder } from './selfSyncRecorder';
import { removeAttachmentFiles, type RichMessaging } from '../content/richMessaging';
import type { Store } from '../store/store';
import { errorFields } from '../util/logger';
import type { ChatRequestName, HandlerDeps, HandlersFor } from './deps';
import { MessageExtrasPresenter } from './messageExtrasPresenter';
import { messageViews } from './messagePresenter';

/**
 * Handlers of contract/areas/messages.ts and chat.ts: rich messages (issue #6 item 1).
 *
 * Typing and reaction changes happen in the messaging core without a request
 * to answer, so this area listens to the running RichMessaging and turns its
 * events into `typing.changed` and `messages.changed`. Messaging starts after
 * unlock (asynchronously) and the MessagingHost announces it with a
 * `net.status` event: that is when the listener is attached (once per
 * RichMessaging; every request also makes sure of it).
 */
export function chatHandlers(deps: HandlerDeps): HandlersFor<ChatRequestName> {
  const { store, messaging, bus, logger } = deps;
  const record = syncRecorder(deps);
  const attached = new WeakSet<RichMessaging>();

  function attach(rich: RichMessaging): void {
    if (attached.has(rich)) return;
    attached.add(rich);
    rich.on((event) => {
      if (event.type === 'typing') {
        bus.emit('typing.changed', { conversationId: event.conversationId, names: event.names });
      } else {
        bus.emit('messages.changed', { conversationId: event.conversationId });
      }
    });
  }

  bus.on((name) => {
    if (name !== 'net.status') return;
    void messaging
      .runningOrNull()
      .then((m) => {
        if (m) attach(m.service.rich);
      })
      .catch((err: unknown) => logger.log('warn', 'chat.attach_failed', errorFields(err)));
  });

  async function rich(): Promise<{ s: Store; rich: RichMessaging }> {
    const s = store();
    const m = await messaging.running();
    attach(m.service.rich);
    return { s, rich: m.service.rich };
  }

  const selfKey = (s: Store): Buffer => s.self().publicKey;

  return {
    'messages.send': async ({ conversationId, text, replyToUid, mentions }) => {
      const s = store();
      const m = await messaging.running();
      attach(m.service.rich);
      if (replyToUid) {
        const original = s.messages.getByUid(replyToUid);
        if (!original || original.conversationId !== conversationId)
          throw new ParleyError('INVALID_PARAMS', 'The message you reply to is not in this conversation.');
      }
      const message = await m.service.sendText(conversationId, text, {
        ...(replyToUid ? { replyToUid } : {}),
        ...(mentions && mentions.length > 0 ? { mentions } : {}),
      });
      void m.service.rich.setTyping(conversationId, false).catch(() => undefined);
      const [view] = messageViews(s, [message]);
      if (!view) throw new ParleyError('INTERNAL', 'The message was not stored.');
      return view;
    },
    'messages.react': async ({ conversationId, messageId, emoji, on }) => {
      const r = await rich();
      await r.rich.react(conversationId, messageId, emoji, on);
      return {};
    },
    'messages.edit': async ({ conversationId, messageId, text, mentions }) => {
      const r = await rich();
      const message = await r.rich.edit(conversationId, messageId, text, mentions ?? []);
      const [view] = messageViews(r.s, [message]);
      if (!view) throw new ParleyError('INTERNAL', 'The message was not stored.');
      return view;
    },
    'messages.delete': async ({ conversationId, messageIds, scope }) => {
      if (scope === 'me') {
        // Local only: works with networking off too.
        const s = store();
        for (const id of messageIds) {
          const m = s.messages.get(id);
          if (!m || m.conversationId !== conversationId)
            throw new ParleyError('INVALID_PARAMS', 'That message is not in this conversation.');
        }
        removeAttachmentFiles(s, s.messages.deleteForMe(messageIds), logger);
        return {};
      }
      if (messageIds.length !== 1)
        throw new ParleyError('INVALID_PARAMS', 'Delete one message for everyone at a time.');
      const r = await rich();
      await r.rich.deleteForEveryone(conversationId, messageIds[0] ?? -1);
      return {};
    },
    'messages.history': ({ conversationId, messageId }) => {
      const s = store();
      return new MessageExtrasPresenter(s, () => selfKey(s)).history(conversationId, messageId);
    },
    'messages.extras': ({ conversationId, messageIds }) => {
      const s = store();
      return new MessageExtrasPresenter(s, () => selfKey(s)).extras(conversationId, messageIds);
    },
    'messages.typing': async ({ conversationId, typing }) => {
      const r = await rich();
      await r.rich.setTyping(conversationId, typing);
      return {};
    },
    'chat.members': async ({ conversationId }) => {
      const s = store();
      const self = selfKey(s).toString('hex');
      const rows = s.members.names(conversationId);
      const selfName = s.self().displayName;
      const members = rows.map((r) => ({
        key: r.key,
        self: r.key === self,
        name: r.key === self ? selfName : (r.name ?? `Unknown (${r.key.slice(0, 8)})`),
      }));
      const m = await messaging.runningOrNull();
      if (m) attach(m.service.rich);
      return { members, typing: m ? m.service.rich.typingNames(conversationId) : [] };
    },
    'chat.preferences.get': () => readChatPreferences(store().settings),
    'chat.preferences.set': (change) => {
      const s = store();
      // §13.6: receipts and typing are the person's choice, on every own device (sync.setting).
      return s.tx.run(() => {
        const next = writeChatPreferences(s.settings, change);
        const flag = (b: boolean) => (b ? 'true' : 'false');
        if (change.readReceipts !== undefined)
          record(s, { type: 'sync.setting', key: 'chat.readReceipts', value: flag(next.readReceipts) });
        if (change.typingIndicators !== undefined)
          record(s, {
            type: 'sync.setting',
            key: 'chat.typingIndicators',
            value: flag(next.typingIndicators),
          });
        return next;
      });
    },
  };
}
