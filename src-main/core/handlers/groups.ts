import type { groupsRequests } from '../../../src-preload/contract/areas/groups';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/groups.ts. */
export function groupsHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof groupsRequests> {
  return {};
}
