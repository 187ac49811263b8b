import type { networkRequests } from '../../../src-preload/contract/areas/network';
import type { HandlerDeps, HandlersFor } from './deps';

/** Handlers of contract/areas/network.ts. */
export function networkHandlers(_deps: HandlerDeps): HandlersFor<keyof typeof networkRequests> {
  return {};
}
