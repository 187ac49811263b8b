import type { DeviceLists } from '../devices/deviceLists';
import type { ParleyNode } from '../net/parleyNode';
import { peerTag } from '../net/protocolErrors';
import { errorFields, type Logger } from '../util/logger';

/** How long the hang-up waits at most for the entry's pushes to the removed device (§13.8 step 4). */
export const CUT_OFF_WAIT_MS = 3_000;

export interface CutOffDeps {
  /** This device: a removal of it is handled by MessagingHost (it wipes), not here. */
  peerId: string;
  /** Settles when the device-list pushes and fetches started so far have (DeviceListSync.settled). */
  settled: () => Promise<void>;
  logger: Logger;
  waitMs?: number;
}

/**
 * docs/protocol.md §13.8 step 3, on the network: when a `remove` entry of
 * anyone's list is stored here (this person's, or a contact's), the device
 * it removes is relayed no more and hung up on.
 *
 * - At once: the reservation our relay for contacts holds for it ends
 *   (`ParleyNode.endRelayReservation`: nobody is connected to it through us,
 *   and the circuits to it reset) and it is not redialled. Its `devices` row
 *   went in the same transaction (forgetRemovedDevice.ts), so the relay gate
 *   refuses it a new reservation (`mayReserve` asks the directory).
 * - Then its connections close, once the entry's pushes started so far
 *   settled (at most `CUT_OFF_WAIT_MS`): the remover pushes the entry to it
 *   if it is connected, and that push is how an online removed device learns
 *   it at once. Its reservation keeper would otherwise keep announcing a
 *   relayed address through us that leads nowhere. It may connect again as a
 *   stranger (it is unknown here now): only the protocols open to strangers
 *   answer it, `/parley/devices/1.0.0` among them, so it still learns of its
 *   removal from us (DeviceListSync.onConnected on its side).
 */
export function cutOffRemovedDevices(
  lists: DeviceLists,
  node: Pick<ParleyNode, 'endRelayReservation' | 'forget' | 'hangUp'>,
  deps: CutOffDeps,
): { stop: () => Promise<void> } {
  const runs = new Set<Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  let stopped = false;
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      timers.add(entry);
    });
  const off = lists.on((news) => {
    if (news.kind !== 'changed') return;
    const gone = news.added
      .filter((e) => e.op === 'remove' && e.subjectPeerId !== deps.peerId)
      .map((e) => e.subjectPeerId);
    if (gone.length === 0) return;
    for (const peer of gone) {
      node.forget(peer);
      if (node.endRelayReservation(peer))
        deps.logger.log('info', 'devices.removed_device_unrelayed', { peer: peerTag(peer) });
    }
    const run = (async () => {
      // After this turn: the own list's pushes start in another listener of the same news.
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.race([deps.settled(), wait(deps.waitMs ?? CUT_OFF_WAIT_MS)]);
      for (const peer of gone) {
        if (stopped) return;
        await node
          .hangUp(peer)
          .catch((err: unknown) => deps.logger.log('debug', 'devices.hang_up_failed', errorFields(err)));
      }
    })();
    runs.add(run);
    void run.finally(() => runs.delete(run));
  });
  return {
    stop: async () => {
      stopped = true;
      off();
      for (const t of timers) {
        clearTimeout(t.timer);
        t.done();
      }
      timers.clear();
      await Promise.allSettled([...runs]);
    },
  };
}
