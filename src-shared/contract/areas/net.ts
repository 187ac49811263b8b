import { z } from 'zod';
import { NetState, NetStatus } from '../net';
import type { EventTable, RequestTable } from './table';

/**
 * The peer network's state on this device: offline, looking, connected, and
 * how many peers. How this device is reached from other networks (relays,
 * public addresses, UPnP) is Settings → Network, the `network.` area.
 */

const Empty = z.object({}).strict();

export const netRequests = {
  /** Whether this device is on the peer network, with how many peers, and its own address. */
  'net.status': { params: Empty, result: NetStatus },
  /**
   * Starts networking when it is off: a shell that starts offline (the web
   * shell without PARLEY_LISTEN), or a node that failed to start. Answers with
   * the status once the node runs; OFFLINE when this Parley has no networking.
   */
  'net.goOnline': { params: Empty, result: NetStatus },
} as const satisfies RequestTable;

export const netEvents = {
  /** The peer network went offline / looking / connected, or the peer count changed. */
  'net.status': NetState,
} as const satisfies EventTable;
