import type { conversationsRequests } from '../../../src-preload/contract/areas/conversations';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/conversations.ts. */
export function conversationsHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof conversationsRequests> {
  return {};
}
