import type { contactsRequests } from '../../../src-preload/contract/areas/contacts';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/contacts.ts. */
export function contactsHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof contactsRequests> {
  return {};
}
