import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { AddressHooks } from '../addressProtocol';
import type { BackoffConfig } from '../backoff';
import type { InboundContactRequest } from '../contactRequestProtocol';
import type { DeliverStatus, InboundEnvelope } from '../deliverProtocol';
import { generateDeviceKey } from '../deviceKey';
import type { FileSource } from '../fileProtocol';
import type { NetLimitOverrides } from '../limits';
import { MemoryMailboxStore, type MemoryMailboxOptions } from '../memoryMailboxStore';
import { ParleyNode, type MdnsOptions, type ParleyNodeOptions } from '../parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from '../parleyProtocols';
import type { StrangerLimits } from '../strangerGate';

/**
 * Test peers over 127.0.0.1: a ParleyNode with in-memory handlers that record
 * what they see, and a bare libp2p node that writes raw bytes (the hostile
 * peer). Only for tests; nothing here listens beyond loopback unless a test
 * passes other listen addresses (the mDNS test, inside a private namespace).
 */

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

export interface TestPeerOptions {
  key?: Uint8Array;
  listen?: string[];
  mdns?: MdnsOptions;
  limits?: NetLimitOverrides;
  mailbox?: Partial<MemoryMailboxOptions> | false;
  /** Serves /parley/file/1.0.0 from this source. */
  fileSource?: FileSource;
  dialGraceMs?: number;
  inboundConnectionsPerSecond?: number;
  reconnect?: Partial<BackoffConfig>;
  addressBook?: AddressHooks;
  onHeldNotice?: (holder: string) => void;
  heartbeat?: { intervalMs?: number; timeoutMs?: number };
  strangers?: Partial<StrangerLimits>;
  /** Relay for these peers (issue 19; `mayReserve` is the contacts check). */
  relay?: ParleyNodeOptions['relay'];
  /** Hold reservations on relays among these peers. */
  reservations?: ParleyNodeOptions['reservations'];
  logger?: ParleyNodeOptions['logger'];
}

export interface TestPeer {
  node: ParleyProtocolNode;
  id: string;
  key: Uint8Array;
  known: Set<string>;
  blocked: Set<string>;
  /** Peers whose contact request waits for an answer (not strangers to the connection budget). */
  pendingRequests: Set<string>;
  received: InboundEnvelope[];
  seen: Set<string>;
  contactRequests: InboundContactRequest[];
  keyPackages: Uint8Array[];
  store: MemoryMailboxStore | undefined;
  /** Milliseconds added to the real clock for this peer (TTL tests). */
  clockOffset: { ms: number };
  /** When set, the deliver handler waits for this before committing. */
  gate: { wait: Promise<void> | undefined; fail: boolean };
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function envelopeId(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(16));
}

export async function makePeer(options: TestPeerOptions = {}): Promise<TestPeer> {
  const key = options.key ?? (await generateDeviceKey());
  const known = new Set<string>();
  const blocked = new Set<string>();
  const pendingRequests = new Set<string>();
  const received: InboundEnvelope[] = [];
  const seen = new Set<string>();
  const contactRequests: InboundContactRequest[] = [];
  const keyPackages: Uint8Array[] = [];
  const clockOffset = { ms: 0 };
  const gate: TestPeer['gate'] = { wait: undefined, fail: false };
  const store = options.mailbox === false ? undefined : new MemoryMailboxStore(options.mailbox ?? {});
  const node = await ParleyNode.create(
    {
      deviceKey: key,
      listen: options.listen ?? LOOPBACK,
      mdns: options.mdns,
      access: {
        isBlocked: (p) => blocked.has(p),
        isKnown: (p) => known.has(p),
        hasPendingRequest: (p) => pendingRequests.has(p),
      },
      heartbeat: options.heartbeat,
      limits: options.limits,
      dialGraceMs: options.dialGraceMs ?? 200,
      reconnect: { baseMs: 50, maxMs: 1000, factor: 2, ...options.reconnect },
      // Every test peer connects from 127.0.0.1, so libp2p's per-host limit would bite.
      inboundConnectionsPerSecond: options.inboundConnectionsPerSecond ?? 10_000,
      strangers: options.strangers,
      relay: options.relay,
      reservations: options.reservations,
      logger: options.logger,
      clock: () => Date.now() + clockOffset.ms,
    },
    parleyProtocols({
      deliver: {
        onEnvelope: async (envelope): Promise<DeliverStatus> => {
          if (gate.wait !== undefined) await gate.wait;
          if (gate.fail) throw new Error('database is locked');
          const k = hex(envelope.envelopeId);
          if (seen.has(k)) return 'duplicate';
          seen.add(k);
          received.push(envelope);
          return 'accepted';
        },
      },
      keyPackages: { provide: async () => keyPackages.shift() ?? null },
      contactRequests: {
        onRequest: async (request) => {
          contactRequests.push(request);
          return 'received';
        },
      },
      mailbox: store ? { handler: { store, onNotice: options.onHeldNotice } } : {},
      address: options.addressBook,
      files: { source: options.fileSource },
    }),
  );
  return {
    node,
    id: node.peerId,
    key,
    known,
    blocked,
    pendingRequests,
    received,
    seen,
    contactRequests,
    keyPackages,
    store,
    clockOffset,
    gate,
  };
}

/** Makes two peers each other's contacts and connects them. */
export async function befriend(a: TestPeer, b: TestPeer): Promise<void> {
  a.known.add(b.id);
  b.known.add(a.id);
  await a.node.addAddresses(b.id, b.node.addresses());
  await b.node.addAddresses(a.id, a.node.addresses());
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A bare libp2p node that only dials (a throwaway PeerId, as a flooding stranger would use). */
export async function makeDialOnlyNode(): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  });
}

/** A bare libp2p node that can write arbitrary bytes on any protocol. */
export async function makeRawNode(): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  });
  return node;
}

const rawDials = new WeakMap<Libp2p, Map<string, Promise<unknown>>>();

/**
 * One connection from the raw node to `target`, shared by concurrent callers:
 * parallel dials by address would race duplicate connections, and streams on
 * the losing one die during negotiation.
 */
export async function rawConnect(raw: Libp2p, target: ParleyNode): Promise<void> {
  if (raw.getConnections(peerIdFromString(target.peerId)).length > 0) return;
  let dials = rawDials.get(raw);
  if (dials === undefined) {
    dials = new Map();
    rawDials.set(raw, dials);
  }
  let pending = dials.get(target.peerId);
  if (pending === undefined) {
    const address = target.addresses()[0];
    if (address === undefined) throw new Error('target has no address');
    pending = raw.dial(multiaddr(address)).finally(() => dials.delete(target.peerId));
    dials.set(target.peerId, pending);
  }
  await pending;
}

export type RawOutcome = { kind: 'reset' } | { kind: 'closed'; response: Uint8Array } | { kind: 'timeout' };

/**
 * Opens `protocol` on `target` from the raw node and sends `bytes` (then
 * half-closes unless told not to). Resolves once the stream is open, with a
 * promise of how the remote ended it.
 */
export async function rawOpen(
  raw: Libp2p,
  target: ParleyNode,
  protocol: string,
  bytes: Uint8Array,
  options: { closeWrite?: boolean; timeoutMs?: number } = {},
): Promise<{ outcome: Promise<RawOutcome> }> {
  await rawConnect(raw, target);
  let stream: Stream;
  try {
    // A hostile peer ignores our politeness limits.
    stream = await raw.dialProtocol(peerIdFromString(target.peerId), protocol, {
      maxOutboundStreams: 10_000,
    });
  } catch {
    // The refusal can overtake protocol negotiation (a reset or an early end).
    return { outcome: Promise.resolve({ kind: 'reset' }) };
  }
  // The reset may already have happened while negotiation finished: no event will come.
  if (stream.status === 'reset' || stream.status === 'aborted') {
    return { outcome: Promise.resolve({ kind: 'reset' }) };
  }
  const chunks: Uint8Array[] = [];
  const done = new Promise<RawOutcome>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout' }), options.timeoutMs ?? 3_000);
    stream.addEventListener('message', (evt) => chunks.push(evt.data.subarray()));
    stream.addEventListener('close', (evt) => {
      clearTimeout(timer);
      resolve(
        evt.error !== undefined
          ? { kind: 'reset' }
          : { kind: 'closed', response: new Uint8Array(Buffer.concat(chunks)) },
      );
    });
  });
  try {
    if (bytes.length > 0) stream.send(bytes);
    if (options.closeWrite !== false) await stream.close();
  } catch {
    // Reset before we finished writing; `done` reports it.
  }
  const outcome = done.then((o) => {
    if (o.kind === 'timeout') stream.abort(new Error('test timeout'));
    return o;
  });
  return { outcome };
}

/** rawOpen, then wait for the outcome. */
export async function rawExchange(
  raw: Libp2p,
  target: ParleyNode,
  protocol: string,
  bytes: Uint8Array,
  options: { closeWrite?: boolean; timeoutMs?: number } = {},
): Promise<RawOutcome> {
  return (await rawOpen(raw, target, protocol, bytes, options)).outcome;
}

/** Names of network interfaces other than loopback: mDNS tests refuse to run if any exist. */
export function nonLoopbackInterfaces(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addrs]) => (addrs ?? []).some((a) => !a.internal))
    .map(([name]) => name);
}
