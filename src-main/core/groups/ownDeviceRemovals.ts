import type { GroupAck } from './groupContext';
import { errorFields, type Logger } from '../util/logger';

/** What the removal of own devices from every conversation needs (docs/protocol.md §13.8 step 2). */
export interface OwnDeviceRemovalsDeps {
  /** Conversations with a group state that this device has not left (groups and DMs). */
  conversations: () => number[];
  removeOwnDevices: (conversationId: number, peerIds: readonly string[]) => Promise<GroupAck>;
  logger: Logger;
}

/**
 * §13.8 step 2: once the own list removed devices, this device commits in
 * every conversation a Remove of their leaves (with the removal's head,
 * mls/groupEngine.ts `removeOwnDevices`). Every own device that learns the
 * entry runs it, so a group the remover cannot reach is done by another; two
 * devices committing for one epoch are ordered by §10, and the loser's
 * intent, remade, finds the device gone. One conversation at a time (each
 * takes its own lock); a failure in one is logged and the others go on.
 * Returns how many conversations committed or queued a Remove.
 */
export async function removeOwnDevicesEverywhere(
  deps: OwnDeviceRemovalsDeps,
  peerIds: readonly string[],
): Promise<number> {
  let committed = 0;
  for (const conversationId of deps.conversations()) {
    try {
      const ack = await deps.removeOwnDevices(conversationId, peerIds);
      if (ack.committed) committed += 1;
    } catch (err) {
      deps.logger.log('warn', 'groups.own_device_removal_failed', { conversationId, ...errorFields(err) });
    }
  }
  deps.logger.log('info', 'groups.own_devices_removed', { devices: peerIds.length, committed });
  return committed;
}
