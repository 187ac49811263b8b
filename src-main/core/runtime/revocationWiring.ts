import type { DeviceListEntry } from '../identity/deviceListEntry';
import type { DeviceLists } from '../devices/deviceLists';
import { forgetRemovedDevice } from '../devices/forgetRemovedDevice';
import { markThisDeviceRemoved } from '../devices/thisDeviceRemoval';
import { removeOwnDevicesEverywhere, type OwnDeviceRemovalsDeps } from '../groups/ownDeviceRemovals';
import type { Store } from '../store/store';
import type { Logger } from '../util/logger';

/**
 * docs/protocol.md §13.8, run in the transaction that stores a `remove`
 * entry (DeviceListsDeps.onRemove): the removed device is forgotten, or,
 * being this one, marked removed (MessagingHost then stops the node and
 * wipes the keys).
 */
export function forgetOnRemove(
  store: Store,
  peerId: string,
  logger: Logger,
): (entry: DeviceListEntry, thisDevice: boolean) => void {
  return (entry, thisDevice) => {
    if (entry.op !== 'remove') return;
    if (thisDevice) {
      const signer = entry.signerPeerId ?? '';
      markThisDeviceRemoved(store.settings, {
        peerId,
        at: entry.at,
        by: signer,
        byName: store.deviceLists.devices(entry.identityKey).find((d) => d.peerId === signer)?.name ?? null,
        reason: entry.reason,
      });
      return;
    }
    const forgotten = forgetRemovedDevice(store, entry.subjectPeerId);
    logger.log('info', 'devices.removed_device_forgotten', forgotten);
  };
}

/**
 * §13.8 step 2: devices the own list removed lose their leaves in every
 * conversation, committed by whichever own device learns the entry (the
 * remover first). `stop` unsubscribes and waits for runs under way.
 */
export function removeGoneOwnDevices(
  lists: DeviceLists,
  own: { identityKey: Uint8Array; peerId: string },
  deps: OwnDeviceRemovalsDeps,
): { stop: () => Promise<void> } {
  const runs = new Set<Promise<unknown>>();
  const off = lists.on((news) => {
    if (news.kind !== 'changed' || !Buffer.from(news.identityKey).equals(Buffer.from(own.identityKey)))
      return;
    const gone = news.added
      .filter((e) => e.op === 'remove' && e.subjectPeerId !== own.peerId)
      .map((e) => e.subjectPeerId);
    if (gone.length === 0) return;
    const run = removeOwnDevicesEverywhere(deps, gone);
    runs.add(run);
    void run.finally(() => runs.delete(run));
  });
  return {
    stop: async () => {
      off();
      await Promise.allSettled([...runs]);
    },
  };
}
