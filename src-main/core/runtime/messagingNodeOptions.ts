import type { Directory } from '../contacts/directory';
import type { BackoffConfig } from '../net/backoff';
import type { NetLimits } from '../net/limits';
import {
  DEFAULT_LISTEN,
  type HeartbeatOptions,
  type MdnsOptions,
  type ParleyNodeOptions,
} from '../net/parleyNode';
import { withPreferredPort } from '../net/stableListen';
import type { NetworkFeatures } from '../presence/networkFeatures';
import type { AddressRepository } from '../store/repositories/addressRepository';
import type { Logger } from '../util/logger';
import { reachOptions } from './reachOptions';

/** What a caller of startMessaging may set of the node (tests, benches, `parley node`). */
export interface MessagingNodeOptions {
  listen?: string[];
  mdns?: boolean | MdnsOptions;
  dialTimeoutMs?: number;
  dialGraceMs?: number;
  reconnect?: Partial<BackoffConfig>;
  heartbeat?: Partial<HeartbeatOptions>;
  /** How often connected contacts are asked about missing ones, ms (default 5 s). */
  addressRefreshMs?: number;
  /**
   * Issue 19: addresses other networks reach this device on (`parley node
   * --public`); default: the `net.publicAddresses` setting. A reachable node
   * relays for its contacts; any other reserves on up to three of theirs.
   */
  publicAddresses?: string[];
  /** Issue 19: UPnP / NAT-PMP port mapping; default: the `net.upnp` setting (off). */
  upnp?: boolean;
  /**
   * Benches and tests only: KeyPackage fetches this node serves per peer
   * (default 8, then one per 30 s, net/limits.ts); a bench that puts 50
   * groups between two peers needs 50.
   */
  keyPackagePerPeer?: NetLimits['keyPackagePerPeer'];
}

/**
 * The node a profile's messaging runs on: the port it listened on last time
 * (so contacts' stored addresses stay right, issue 13), mDNS switched by
 * "Discoverable on this network", and the reach of issue 19 (reachOptions.ts)
 * from the caller's options or else the profile's settings.
 */
export async function messagingNodeOptions(
  node: MessagingNodeOptions | undefined,
  deps: {
    deviceKey: Uint8Array;
    addresses: AddressRepository;
    directory: Directory;
    network: NetworkFeatures;
    logger: Logger;
  },
): Promise<ParleyNodeOptions> {
  const { addresses, directory, network } = deps;
  const mdns = node?.mdns;
  const discoverable = network.privacy().discoverable;
  return {
    deviceKey: deps.deviceKey,
    listen: await withPreferredPort(node?.listen ?? DEFAULT_LISTEN, addresses.listenPort()),
    mdns: mdns ? { ...(typeof mdns === 'object' ? mdns : {}), discoverable } : mdns,
    dialTimeoutMs: node?.dialTimeoutMs,
    dialGraceMs: node?.dialGraceMs,
    reconnect: node?.reconnect,
    heartbeat: node?.heartbeat,
    ...(node?.keyPackagePerPeer ? { limits: { keyPackagePerPeer: node.keyPackagePerPeer } } : {}),
    ...reachOptions(
      node?.publicAddresses ?? addresses.publicAddresses(),
      node?.upnp ?? addresses.upnp(),
      directory,
      network,
    ),
    access: directory,
    logger: deps.logger,
  };
}
