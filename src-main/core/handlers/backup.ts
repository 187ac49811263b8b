import type { backupRequests } from '../../../src-preload/contract/areas/backup';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/backup.ts. */
export function backupHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof backupRequests> {
  return {};
}
