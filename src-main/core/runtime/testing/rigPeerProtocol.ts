/** The requests a rig peer process answers (runtime/testing/rigPeerMain.ts). Test-only. */

export interface RigPeerConfig {
  name: string;
  /** Production node and delivery timings instead of the test harness's fast ones. */
  production?: boolean;
  /** The TCP port to listen on (default: any). */
  port?: number;
  /** Issue 19: addresses other networks reach this peer on; it then relays for its contacts. */
  publicAddresses?: string[];
  /** Issue 19: ask the home router for a port mapping (UPnP / NAT-PMP). */
  upnp?: boolean;
}

export type RigRequest = { id: number } & (
  | { op: 'online' }
  | { op: 'offline' }
  | { op: 'invite' }
  | { op: 'accept'; invite: string }
  | { op: 'dmWith'; identityKey: string }
  | { op: 'send'; conversationId: number; body: string }
  | { op: 'bodies'; conversationId: number }
  | { op: 'connected'; peerId: string }
  | { op: 'connection'; identityKey: string }
  | { op: 'connections' }
  | { op: 'knows'; peerId: string; relay: string }
  | { op: 'relays' }
  | { op: 'addresses' }
  | { op: 'reachable' }
  | { op: 'direct' }
  // Files (issue 19): deterministic bytes from a seed, so both sides can check them by hash.
  | { op: 'sendFile'; conversationId: number; size: number; seed: string }
  | { op: 'fileState'; conversationId: number; uid: string }
  | { op: 'download'; attachmentId: number }
  | { op: 'fileHash'; attachmentId: number; size: number }
  // Benchmarks: stamps on the machine-wide clock (performance.timeOrigin + now).
  | { op: 'sendTimed'; conversationId: number; body: string }
  | { op: 'burst'; conversationId: number; prefix: string; count: number; concurrency: number }
  | { op: 'waitCommitted'; prefix: string; count: number; timeoutMs: number }
  | { op: 'committedAt'; bodies: string[] }
);

export type RigResponse = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: string });
