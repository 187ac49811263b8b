import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { errorFields, type Logger } from '../util/logger';
import { PeerRateLimiter, type BucketConfig } from './tokenBucket';

/**
 * A STUN server that answers Binding requests only (RFC 8489 §3, §6.3.1), so
 * that contacts behind NAT learn their server-reflexive address for ICE
 * (RFC 8445 §5.1.1.1) from a reachable Parley node instead of a third
 * party's STUN server (issue 19; docs/protocol.md §14.10). It tells the asker
 * the IP address and port its packet came from, nothing else: no
 * authentication, no relaying (that is TURN), no other methods. It runs on a
 * reachable node's public port, UDP beside its TCP listener.
 *
 * A response is 32 bytes (header and XOR-MAPPED-ADDRESS for IPv4), never
 * longer than the request that caused it (≥ 20 bytes), so it cannot amplify
 * a spoofed request much; responses are rate-limited per source address and
 * in total all the same.
 */

/** RFC 8489 §5: the magic cookie in every message after the type and length. */
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
/** RFC 8489 §14.2. */
const XOR_MAPPED_ADDRESS = 0x0020;
const HEADER_BYTES = 20;
/** Requests bigger than this are not Binding requests we answer (RFC 8489 §6.1: fits the path MTU). */
const MAX_REQUEST_BYTES = 548;

export interface StunResponderInit {
  /** UDP port (the node's public TCP port number, so contacts know where to ask). */
  port: number;
  /** Address to bind (default all IPv4 interfaces). */
  host?: string;
  logger: Logger;
  clock?: () => number;
  perSource?: BucketConfig;
  total?: BucketConfig;
}

/** Parses a Binding request; null for anything else (ignored without an answer, RFC 8489 §6.3). */
export function parseBindingRequest(packet: Uint8Array): Uint8Array | null {
  if (packet.length < HEADER_BYTES || packet.length > MAX_REQUEST_BYTES) return null;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  // The two top bits of a STUN message are zero (§5); the type must be a Binding request.
  if (view.getUint16(0) !== BINDING_REQUEST) return null;
  const length = view.getUint16(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== packet.length) return null;
  if (view.getUint32(4) !== MAGIC_COOKIE) return null;
  return packet.slice(8, 20);
}

/** A Binding success response carrying XOR-MAPPED-ADDRESS (RFC 8489 §14.2) for an IPv4 source. */
export function bindingResponse(transactionId: Uint8Array, address: string, port: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + 12);
  const view = new DataView(out.buffer);
  view.setUint16(0, BINDING_SUCCESS);
  view.setUint16(2, 12);
  view.setUint32(4, MAGIC_COOKIE);
  out.set(transactionId, 8);
  view.setUint16(20, XOR_MAPPED_ADDRESS);
  view.setUint16(22, 8);
  view.setUint8(24, 0);
  view.setUint8(25, 0x01); // family IPv4
  view.setUint16(26, port ^ (MAGIC_COOKIE >>> 16));
  const ip = address.split('.').reduce((acc, octet) => (acc << 8) | Number(octet), 0) >>> 0;
  view.setUint32(28, (ip ^ MAGIC_COOKIE) >>> 0);
  return out;
}

export class StunResponder {
  private socket: Socket | null = null;
  private readonly limiter: PeerRateLimiter;
  private readonly clock: () => number;
  private answered = 0;

  constructor(private readonly init: StunResponderInit) {
    this.clock = init.clock ?? Date.now;
    this.limiter = new PeerRateLimiter(
      init.perSource ?? { capacity: 20, refillPerSecond: 5 },
      init.total ?? { capacity: 200, refillPerSecond: 100 },
      1_024,
      this.clock(),
    );
  }

  readonly [Symbol.toStringTag] = 'parley/stun-responder';

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.on('message', (packet, from) => this.onPacket(packet, from));
    socket.on('error', (err) => this.init.logger.log('warn', 'net.stun.error', errorFields(err)));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.init.port, this.init.host ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** Binding requests answered so far. */
  get responses(): number {
    return this.answered;
  }

  /** The bound UDP port (the asked one, or the OS's choice for 0). */
  get port(): number {
    return this.socket?.address().port ?? this.init.port;
  }

  private onPacket(packet: Buffer, from: RemoteInfo): void {
    const transactionId = parseBindingRequest(packet);
    if (transactionId === null || !isIPv4(from.address)) return;
    if (!this.limiter.take(from.address, this.clock())) return;
    this.answered += 1;
    this.socket?.send(bindingResponse(transactionId, from.address, from.port), from.port, from.address);
  }
}

/** The libp2p service factory (`services: { stun: stunResponder(init) }`). */
export function stunResponder(init: StunResponderInit): () => StunResponder {
  return () => new StunResponder(init);
}
