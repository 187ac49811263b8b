import { parseAddresses } from '../contacts/directory';
import { HistoryService } from '../history/historyService';
import type { HistoryProgress } from '../history/historyReceiver';
import { ParleyNode } from '../net/parleyNode';
import { parleyProtocols } from '../net/parleyProtocols';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';

/**
 * History on a linked device that is not yet a member of its groups
 * (issue 18, docs/protocol.md §13.7): until §13.6 lets a linked device run
 * full messaging, this is what fetches the history its grant recorded
 * (linking writes the `history_transfers` row with the profile). A node under
 * this device's own key, which only dials out (the devices that hold the
 * history are dialled at the addresses the grant stored) and serves nothing,
 * runs the history receiver until every transfer has ended; it resumes from
 * the recorded chunk after a lost connection and after a restart.
 *
 * Once full messaging runs on a linked device, its own HistoryService
 * resumes the same rows and this session is not started.
 */
export interface LinkedHistoryDeps {
  store: Store;
  profileDir: string;
  connection: () => { path: string; key: Buffer; nativeBinding?: string };
  /** Where the node listens; it only dials out, so loopback by default. */
  listen?: string[];
  logger: Logger;
  onProgress(progress: HistoryProgress): void;
  now?: () => number;
  retryMs?: number;
}

export interface LinkedHistory {
  /** Settles when every transfer found at start has ended (done or failed). */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the session when a received history is still to come; null when there is none. */
export async function startLinkedHistory(deps: LinkedHistoryDeps): Promise<LinkedHistory | null> {
  const { store, logger } = deps;
  const pending = store.historyTransfers.inStates('receive', ['receiving', 'importing']);
  const secrets = store.deviceSecrets.get();
  if (pending.length === 0 || !secrets) return null;
  const sources = new Set(pending.map((t) => t.peerId));
  const node = await ParleyNode.create(
    {
      deviceKey: secrets.deviceKey,
      listen: deps.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      // Only the person's own devices that hold the history are talked to; nothing is served.
      access: { isBlocked: () => false, isKnown: (peer) => sources.has(peer) },
      logger,
    },
    parleyProtocols(),
  );
  await node.start();
  for (const peer of sources) {
    const stored = store.devices.get(peer);
    if (stored) await node.addAddresses(peer, parseAddresses(stored.addresses));
  }
  const history = new HistoryService({
    transfers: store.historyTransfers,
    profileDir: deps.profileDir,
    connection: deps.connection,
    node,
    logger,
    now: deps.now ?? Date.now,
    ...(deps.retryMs ? { retryMs: deps.retryMs } : {}),
  });
  const offProgress = history.onProgress(deps.onProgress);
  const finished = Promise.allSettled(history.receiver.resume()).then((results) => {
    for (const r of results)
      if (r.status === 'rejected') logger.log('warn', 'history.linked_failed', errorFields(r.reason));
  });
  let stopped: Promise<void> | null = null;
  return {
    finished,
    stop: () => {
      stopped ??= (async () => {
        offProgress();
        await history.stop();
        await node.stop();
      })();
      return stopped;
    },
  };
}
