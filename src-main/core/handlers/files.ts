import type { filesRequests } from '../../../src-preload/contract/areas/files';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/files.ts. */
export function filesHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof filesRequests> {
  return {};
}
