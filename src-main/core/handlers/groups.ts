import type { groupsRequests } from '../../../src-preload/contract/areas/groups';
import { ParleyError } from '../errors';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/groups.ts. */
export function groupsHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof groupsRequests> {
  const notYet = (): never => {
    throw new ParleyError('INTERNAL', 'Group changes are not available yet.');
  };
  return {
    'conversations.info': notYet,
    'conversations.addMembers': notYet,
    'conversations.removeMember': notYet,
    'conversations.rename': notYet,
    'conversations.setRole': notYet,
    'conversations.leave': notYet,
  };
}
