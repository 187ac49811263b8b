import type { AppInfo } from '../../src-preload/contract';
import type { ProfileService } from './profile/profileService';
import type { Handlers } from './rpc/dispatcher';
import { parseSearchQuery } from './search/searchQuery';
import type { Store } from './store/store';

export interface HandlerDeps {
  info: AppInfo;
  profile: ProfileService;
  /** The unlocked profile's store; throws LOCKED while locked. */
  store: () => Store;
}

/** The core's answer to every request in the contract. */
export function createHandlers({ info, profile, store }: HandlerDeps): Handlers {
  return {
    'app.info': () => info,
    'profile.status': () => profile.status(),
    'profile.create': ({ displayName, passphrase }) => profile.create(displayName, passphrase),
    'profile.unlock': ({ passphrase, remember }) => profile.unlock(passphrase, remember),
    'profile.unlockWithDevice': () => profile.unlockWithDevice(),
    'profile.setRemember': ({ remember }) => profile.setRemember(remember),
    'profile.changePassphrase': ({ current, next }) => profile.changePassphrase(current, next),
    'profile.lock': () => profile.lock(),
    'conversations.list': ({ filter }) => store().conversations.list({ filter }),
    'conversations.markRead': ({ conversationId, messageId }) => ({
      unreadCount: store().conversations.markRead(conversationId, messageId),
    }),
    'search.query': ({ text, conversationId, limit }) =>
      store().search.search(parseSearchQuery(text), { conversationId, limit }),
    'messages.page': ({ conversationId, at, limit }) => {
      const s = store();
      const page = s.messages.page(conversationId, at, limit);
      return { ...page, messages: s.views.toViews(page.messages) };
    },
  };
}
