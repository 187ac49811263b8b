import type { DeviceLists } from '../devices/deviceLists';
import { addOwnDeviceEverywhere, type OwnDeviceAddsDeps } from '../groups/ownDeviceAdds';
import { errorFields, type Logger } from '../util/logger';

/** How long a run that could not reach the new device waits before trying again (ms). */
const RETRY_MS = 15_000;

export interface OwnDeviceAddWiringDeps {
  lists: DeviceLists;
  own: { identityKey: Uint8Array; peerId: string };
  adds: Omit<OwnDeviceAddsDeps, 'activeDevice' | 'identityKey' | 'logger'>;
  /** The node's connection events (a device of ours connecting is a moment to try). */
  onPeer: (listener: (event: { peerId: string; connected: boolean }) => void) => () => void;
  /**
   * Keeps a connection to an own device: they add each other to conversations, serve history
   * (§13.7) and hold for each other (§11). A new one's addresses come with its first connection.
   */
  keepConnected: (peerId: string) => Promise<void>;
  logger: Logger;
  retryMs?: number;
}

/**
 * docs/protocol.md §13.6 step 3, own side: whichever own device learns of a
 * new active own device (the grant on the device that linked it, the list
 * sync on the others) adds it to every conversation it is in
 * (groups/ownDeviceAdds.ts). Runs at start for every other active own
 * device (a restart resumes: conversations holding its leaf are skipped),
 * when the own list adds one, and when one connects; one run per device at a
 * time; a run that could not reach the device is tried again after
 * `retryMs`. Two own devices doing it at once are ordered by §10: the
 * loser's `addOwnDevice`, remade, finds the device there and does nothing.
 */
export function addNewOwnDevices(deps: OwnDeviceAddWiringDeps): {
  /** Keeps connections to the other active own devices and starts a run for each. */
  start(): Promise<void>;
  /** Settles when no run is under way (tests). */
  settled(): Promise<void>;
  stop(): Promise<void>;
} {
  const { lists, own, logger } = deps;
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  /** Conversations this run of the process added (or queued an Add for) each device in. */
  const done = new Map<string, Set<number>>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const activeDevice = (peerId: string) =>
    lists.activeDevices(own.identityKey).find((d) => d.peerId === peerId) ?? null;
  const others = () =>
    lists
      .activeDevices(own.identityKey)
      .map((d) => d.peerId)
      .filter((p) => p !== own.peerId);

  const run = (peerId: string): void => {
    if (stopped || peerId === own.peerId) return;
    if (running.has(peerId)) {
      again.add(peerId);
      return;
    }
    const timer = timers.get(peerId);
    if (timer) clearTimeout(timer);
    timers.delete(peerId);
    const skip = done.get(peerId) ?? new Set<number>();
    done.set(peerId, skip);
    const work = (async () => {
      let finished: boolean;
      do {
        again.delete(peerId);
        const result = await addOwnDeviceEverywhere(
          { ...deps.adds, identityKey: own.identityKey, activeDevice, logger },
          peerId,
          skip,
        );
        for (const id of result.added) skip.add(id);
        finished = result.finished;
      } while (again.has(peerId) && !stopped);
      if (!finished && !stopped && activeDevice(peerId) !== null) {
        const t = setTimeout(() => run(peerId), deps.retryMs ?? RETRY_MS);
        t.unref();
        timers.set(peerId, t);
      }
    })()
      .catch((err: unknown) => logger.log('warn', 'groups.own_device_adds_failed', errorFields(err)))
      .finally(() => running.delete(peerId));
    running.set(peerId, work);
  };

  const offLists = lists.on((news) => {
    if (news.kind !== 'changed' || !Buffer.from(news.identityKey).equals(Buffer.from(own.identityKey)))
      return;
    for (const e of news.added) {
      if (e.op !== 'add' || e.subjectPeerId === own.peerId) continue;
      deps
        .keepConnected(e.subjectPeerId)
        .catch((err: unknown) => logger.log('warn', 'devices.keep_connected_failed', errorFields(err)));
      run(e.subjectPeerId);
    }
  });
  const offPeer = deps.onPeer(({ peerId, connected }) => {
    if (connected && activeDevice(peerId) !== null) run(peerId);
  });

  return {
    start: async () => {
      for (const peerId of others()) {
        await deps.keepConnected(peerId);
        run(peerId);
      }
    },
    settled: async () => {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    stop: async () => {
      stopped = true;
      offLists();
      offPeer();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running.values()]);
    },
  };
}
