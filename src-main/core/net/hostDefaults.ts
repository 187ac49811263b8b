import type { HeartbeatOptions } from './nodeOptions';

/**
 * The libp2p host's defaults, apart from libp2pHost.ts so that naming them
 * does not load libp2p (the host module is imported when a node is built).
 */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 4_000, timeoutMs: 5_000 };
/** All IPv4 interfaces, a port of the OS's choosing. */
export const DEFAULT_LISTEN: readonly string[] = ['/ip4/0.0.0.0/tcp/0'];
/** libp2p's hard ceiling on open connections (see connectionManager in libp2pHost.ts). */
export const MAX_CONNECTIONS = 512;
