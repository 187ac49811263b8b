import { thisDeviceRemoval } from '../devices/thisDeviceRemoval';
import { ParleyError } from '../errors';
import { LOCK_FILE } from '../profile/profileLock';
import { INVITE_USED } from '../contacts/invite';
import { inviteStatus } from '../contacts/inviteStatus';
import { extractInviteLink, inviteText } from '../contacts/inviteText';
import { reaching } from './reaching';
import { parseSearchQuery } from '../search/searchQuery';
import { errorFields } from '../util/logger';
import { contactRequestViews } from './contactRequestViews';
import { initialPrivacy } from '../presence/initialPrivacy';
import { inviteStatusView } from './contactsPresenter';
import type { BaseRequestName, HandlerDeps, HandlersFor } from './deps';
import { MessageExtrasPresenter } from './messageExtrasPresenter';
import { messageViews } from './messagePresenter';
import { readAndSync, syncRecorder } from './selfSyncRecorder';

/** Profile, home list, messages, search and the first contact/conversation requests. */
export function baseHandlers({
  info,
  profile,
  store,
  search,
  messaging,
  lock,
  logger,
}: HandlerDeps): HandlersFor<BaseRequestName> {
  const record = syncRecorder({ messaging, logger });
  return {
    'app.info': () => info,
    'profile.status': () => {
      const status = profile.status();
      // The unlock screen is up: load the network while the user types (MessagingHost.warmUp).
      if (status.state === 'locked') messaging.warmUp();
      return status;
    },
    'profile.create': ({ displayName, passphrase, discoverable }) =>
      profile.create(displayName, passphrase, [initialPrivacy({ discoverable: discoverable ?? false })]),
    'profile.unlock': ({ passphrase, remember }) => {
      messaging.warmUp();
      return profile.unlock(passphrase, remember);
    },
    'profile.unlockWithDevice': () => {
      messaging.warmUp();
      return profile.unlockWithDevice();
    },
    'profile.setRemember': ({ remember }) => profile.setRemember(remember),
    'profile.changePassphrase': ({ current, next }) => profile.changePassphrase(current, next),
    'profile.lock': () => lock(),
    'profile.delete': async ({ confirm }) => {
      const s = store();
      // Only a removed device (§13.8 step 4): deleting an active one would leave it in the
      // person's list, still sent to by every contact; "Unlink this device" comes first.
      if (thisDeviceRemoval(s.settings) === null) {
        throw new ParleyError(
          'FORBIDDEN',
          'This device is still one of your devices. Unlink it in Settings → Devices first.',
        );
      }
      const name = s.identity.displayName() ?? '';
      if (confirm.trim() !== name.trim()) {
        throw new ParleyError('INVALID_PARAMS', `Type the profile’s name, ${name}, exactly to confirm.`);
      }
      await lock();
      logger.log('info', 'profile.delete_confirmed', {});
      // The lock file stays: this process still holds the folder (and creates the next profile in it).
      return profile.deleteFiles([LOCK_FILE]);
    },
    'conversations.list': ({ filter }) => store().conversations.list({ filter }),
    'conversations.markRead': ({ conversationId, messageId }) => {
      const s = store();
      // §13.6: the other own devices follow the read mark (sync.read), in the read's transaction.
      const unreadCount = readAndSync(record, s, conversationId, () =>
        s.conversations.markRead(conversationId, messageId),
      );
      // One read receipt for the newest message read (content/richMessaging.ts). Best effort:
      // it never fails the request, and the next read sends one again if this one could not go.
      void messaging
        .runningOrNull()
        .then((m) => m?.service.rich.markRead(conversationId))
        .catch((err: unknown) => logger.log('warn', 'chat.receipt_failed', errorFields(err)));
      return { unreadCount };
    },
    'search.query': ({ text, conversationId, limit }) =>
      search().search(parseSearchQuery(text), { conversationId, limit }),
    'messages.page': ({ conversationId, at, limit }) => {
      const s = store();
      // One read transaction: the read state is of the same snapshot as the rows (no message can
      // commit in between, even from another connection), so the chat's unread marker matches them.
      return s.tx.run(() => {
        const page = s.messages.page(conversationId, at, limit);
        const unread = s.conversations.readState(conversationId);
        const extras = new MessageExtrasPresenter(s, () => s.self().publicKey).extras(
          conversationId,
          page.messages.filter((m) => m.kind !== 'system').map((m) => m.id),
        );
        return { ...page, messages: messageViews(s, page.messages), unread, extras };
      });
    },
    'net.status': async () => {
      store();
      const m = await messaging.runningOrNull();
      if (!m)
        return { state: 'offline', peers: 0, peerId: null, addresses: [], problem: messaging.problem() };
      return {
        ...m.node.connectionState(),
        peerId: m.node.peerId,
        addresses: m.node.addresses(),
        problem: null,
      };
    },
    'net.goOnline': async () => {
      store();
      const m = await messaging.goOnline();
      return {
        ...m.node.connectionState(),
        peerId: m.node.peerId,
        addresses: m.node.addresses(),
        problem: null,
      };
    },
    'contacts.list': () =>
      store()
        .contacts.list()
        .map((c) => ({
          id: c.id,
          name: c.localName ?? c.displayName,
          identityKey: c.identityKey.toString('hex'),
          verified: c.verifiedAt !== null,
          blocked: c.blocked,
          keyChanged: c.pendingKeyChange !== null,
        })),
    'contacts.createInvite': async () => {
      store();
      const m = await messaging.running();
      const link = m.service.createInvite();
      return { link, text: inviteText(profile.status().displayName ?? 'A friend', link), qrData: link };
    },
    'contacts.inviteStatus': async ({ link }) => {
      const s = store();
      const m = await messaging.running();
      return inviteStatusView(
        inviteStatus(
          {
            invites: s.invites,
            directory: m.directory,
            contacts: s.contacts,
            ownPeerId: m.node.peerId,
          },
          link,
          Date.now(),
        ),
      );
    },
    'contacts.acceptInvite': async ({ invite }) => {
      store();
      const m = await messaging.running();
      try {
        return await reaching('The person who made this invite', () =>
          m.service.acceptInvite(extractInviteLink(invite)),
        );
      } catch (err) {
        // Bad and expired invites look alike on purpose: say one thing. A used one is told
        // apart only when the inviter's device said so to a holder of the token (contacts/invite.ts).
        if (err instanceof ParleyError && (err.code === 'INVALID_PARAMS' || err.code === 'INVALID_STATE')) {
          if (err.message === 'That invite is your own.' || err.message === INVITE_USED) throw err;
          throw new ParleyError('INVALID_PARAMS', 'This invite link is not valid or has expired.', {
            cause: err,
          });
        }
        throw err;
      }
    },
    'contacts.requests': async () => {
      const s = store();
      const m = await messaging.running();
      return contactRequestViews(s.contacts.list(), m.service.requests.pending());
    },
    'contacts.respond': async ({ requestId, accept }) => {
      store();
      const m = await messaging.running();
      if (!accept) {
        m.service.requests.decline(requestId);
        return {};
      }
      return { contactId: await m.service.requests.accept(requestId) };
    },
    'conversations.createDm': async ({ contactId }) => {
      const s = store();
      const m = await messaging.running();
      const contact = s.contacts.list().find((c) => c.id === contactId);
      if (!contact) throw new ParleyError('INVALID_PARAMS', 'No such contact.');
      const name = contact.localName ?? contact.displayName;
      return { conversationId: await reaching(name, () => m.service.createDm(contactId)) };
    },
    'conversations.createGroup': async ({ name, contactIds }) => {
      const s = store();
      const m = await messaging.running();
      const known = new Set(s.contacts.list().map((c) => c.id));
      if (!contactIds.every((id) => known.has(id)))
        throw new ParleyError('INVALID_PARAMS', 'No such contact.');
      return {
        conversationId: await reaching('One of those contacts', () =>
          m.service.createGroup(name, contactIds),
        ),
      };
    },
  };
}
