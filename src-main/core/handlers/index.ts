import type { Handlers } from '../rpc/dispatcher';
import { backupHandlers } from './backup';
import { baseHandlers } from './base';
import { chatHandlers } from './chat';
import { contactsHandlers } from './contacts';
import { conversationsHandlers } from './conversations';
import { deviceListHandlers } from './deviceLists';
import type { HandlerDeps } from './deps';
import { devicesHandlers } from './devices';
import { filesHandlers } from './files';
import { groupsHandlers } from './groups';
import { hostHandlers } from './host';
import { networkHandlers } from './network';

export type { HandlerDeps } from './deps';

/**
 * The core's answer to every request in the contract: one file per contract
 * area (src-shared/contract/areas), merged here. The `Handlers` type refuses
 * a missing one.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    ...baseHandlers(deps),
    ...groupsHandlers(deps),
    ...networkHandlers(deps),
    ...chatHandlers(deps),
    ...contactsHandlers(deps),
    ...conversationsHandlers(deps),
    ...filesHandlers(deps),
    ...backupHandlers(deps),
    ...hostHandlers(deps),
    ...devicesHandlers(deps),
    ...deviceListHandlers(deps),
  };
}
