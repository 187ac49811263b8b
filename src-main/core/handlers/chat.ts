import type { chatRequests } from '../../../src-preload/contract/areas/chat';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/chat.ts. */
export function chatHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof chatRequests> {
  return {};
}
