import { baseHandlers } from '../../handlers/base';
import { chatHandlers } from '../../handlers/chat';
import { contactsHandlers } from '../../handlers/contacts';
import { deviceChangeHandlers } from '../../handlers/deviceChanges';
import type { HandlerDeps } from '../../handlers/deps';
import { EventBus } from '../../rpc/eventBus';
import { silentLogger } from '../../util/logger';
import type { MessagingPeer } from './messagingPeer';

/**
 * Test helper (issue 18, §13.6): the contract's handlers of one running
 * test peer, called the way a shell calls them (the requests that record
 * sync messages for one's other devices). The harness's peers start
 * messaging without a profile, so the identity row a profile would have is
 * written first.
 */
export function shellOf(p: MessagingPeer) {
  p.t.db
    .prepare(
      'INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)',
    )
    .run(p.name, p.identity.publicKey, p.identity.privateKey, Date.now());
  const deps = {
    store: () => p.store,
    messaging: { runningOrNull: async () => p.m, running: async () => p.running() },
    bus: new EventBus(),
    logger: silentLogger,
  } as unknown as HandlerDeps;
  return {
    ...baseHandlers(deps),
    ...contactsHandlers(deps),
    ...deviceChangeHandlers(deps),
    ...chatHandlers(deps),
  };
}
