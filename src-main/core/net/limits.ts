/**
 * Protocol ids, frame size limits and timeouts of the Parley wire protocols, in
 * one place so README.md (and docs/protocol.md) can be checked against them.
 * The protocol version lives twice on purpose: in the id (so an incompatible
 * peer fails negotiation cleanly) and in every frame's `version` field (so a
 * frame from a confused or hostile peer is rejected before it is interpreted).
 */

export const PROTOCOL_IDS = {
  deliver: '/parley/deliver/1.0.0',
  keypackage: '/parley/keypackage/1.0.0',
  mailbox: '/parley/mailbox/1.0.0',
  presence: '/parley/presence/1.0.0',
  contactRequest: '/parley/contact-request/1.0.0',
  hello: '/parley/hello/1.0.0',
  file: '/parley/file/1.0.0',
  groupinfo: '/parley/groupinfo/1.0.0',
  address: '/parley/address/1.0.0',
  reach: '/parley/reach/1.0.0',
  link: '/parley/link/1.0.0',
  history: '/parley/history/1.0.0',
  devices: '/parley/devices/1.0.0',
} as const;

export type ProtocolName = keyof typeof PROTOCOL_IDS;
export const PROTOCOL_NAMES = Object.keys(PROTOCOL_IDS) as ProtocolName[];

/** The value of the `version` field in every frame of the 1.0.0 protocols. */
export const FRAME_VERSION = 1;

/** Envelope ids are 16 random bytes. */
export const ENVELOPE_ID_BYTES = 16;

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Largest opaque payload in one deliver request or mailbox deposit. */
export const MAX_ENVELOPE_PAYLOAD = 256 * KiB;
/** Protobuf field tags and lengths around a payload; generous, a frame is never close. */
const FRAME_OVERHEAD = 1 * KiB;

export interface NetLimits {
  /** Largest frame (after the length prefix) accepted per protocol, in bytes. */
  maxFrameBytes: Record<ProtocolName, number>;
  /** Concurrent inbound streams per remote peer and protocol; more are reset and counted. */
  maxInboundStreamsPerPeer: Record<ProtocolName, number>;
  /** Concurrent outbound streams per remote peer and protocol; more wait their turn. */
  maxOutboundStreamsPerPeer: number;
  /** Every single frame read or write, and each close, must finish within this. */
  ioTimeoutMs: number;
  /** The caller's handler (a DB transaction) must settle within this, or no ack is sent. */
  handlerTimeoutMs: number;
  /** A whole outbound request (dial, negotiate, write, read) must finish within this. */
  requestTimeoutMs: number;
  /** Deliver session streams idle this long are closed by the opener (below ioTimeoutMs). */
  sessionIdleMs: number;
  /** Mailbox fetch: items per batch frame, bytes per batch frame, items per fetch stream. */
  mailboxBatchItems: number;
  mailboxBatchBytes: number;
  mailboxMaxItemsPerFetch: number;
  /** Mailbox ack: ids per ack frame (the client splits larger acks). */
  mailboxAckIds: number;
  /** Contact requests: per peer and for the whole node (token buckets). */
  contactRequestPerPeer: { capacity: number; refillPerSecond: number };
  contactRequestGlobal: { capacity: number; refillPerSecond: number };
  /** "Who are you?" from nearby peers: per peer and for the whole node (token buckets). */
  helloPerPeer: { capacity: number; refillPerSecond: number };
  helloGlobal: { capacity: number; refillPerSecond: number };
  /** KeyPackage fetches per peer (one-time packages are a finite pool). */
  keyPackagePerPeer: { capacity: number; refillPerSecond: number };
  /** Address exchanges per peer (records pushed, lookups). */
  addressPerPeer: { capacity: number; refillPerSecond: number };
  /** GroupInfo requests: open to unknown peers, so limited per peer and for the whole node. */
  groupInfoPerPeer: { capacity: number; refillPerSecond: number };
  groupInfoGlobal: { capacity: number; refillPerSecond: number };
  /** Link attempts (docs/protocol.md §13.5): open to unknown peers while a code is live. */
  linkPerPeer: { capacity: number; refillPerSecond: number };
  linkGlobal: { capacity: number; refillPerSecond: number };
  /** Device-list fetches and pushes (docs/protocol.md §13.4): per peer and for the whole node. */
  devicesPerPeer: { capacity: number; refillPerSecond: number };
  devicesGlobal: { capacity: number; refillPerSecond: number };
  /** Dial-back requests (reachability checks) per contact: each costs us a dial. */
  reachPerPeer: { capacity: number; refillPerSecond: number };
  /** How many peers' rate-limit buckets are remembered (oldest forgotten first). */
  rateLimitPeers: number;
  /** Contact request field limits (UTF-8 bytes). */
  contactDisplayNameBytes: number;
  contactMessageBytes: number;
  contactInviteTokenBytes: number;
}

export const DEFAULT_LIMITS: NetLimits = {
  maxFrameBytes: {
    deliver: MAX_ENVELOPE_PAYLOAD + FRAME_OVERHEAD,
    keypackage: 64 * KiB,
    // A fetch batch carries up to mailboxBatchBytes of payloads plus per-item overhead.
    mailbox: 1 * MiB + 64 * FRAME_OVERHEAD,
    presence: 64,
    contactRequest: 4 * KiB,
    // A 64-byte name, a 32-byte key, a device certificate (≤ 512 B) and field tags.
    hello: 1 * KiB,
    // One sealed chunk (≤ 256 KiB + 16-byte tag) and its fields.
    file: MAX_ENVELOPE_PAYLOAD + FRAME_OVERHEAD,
    // A GroupInfo carries the whole ratchet tree: ~3 MiB for 1,000 members with X-Wing keys.
    groupinfo: 8 * MiB,
    // Up to 33 signed records (≤ 2 KiB each), 32 PeerIds and a beacon key.
    address: 80 * KiB,
    // Up to 4 multiaddrs of ≤ 256 bytes and their tags.
    reach: 2 * KiB,
    // One sealed part of a grant (≤ 1 MiB - 1 KiB) and its fields; a hello is ~1.3 KiB.
    link: 1 * MiB + FRAME_OVERHEAD,
    // One sealed history chunk (≤ 1 MiB + 16-byte tag), the 51-byte header and the fields (§13.7).
    history: 1 * MiB + FRAME_OVERHEAD,
    // ≤ 1,024 entries of ≤ 1 KiB (a real list is ≤ ~640 KiB) and their tags.
    devices: 1 * MiB + 8 * FRAME_OVERHEAD,
  },
  maxInboundStreamsPerPeer: {
    deliver: 64,
    keypackage: 4,
    mailbox: 4,
    presence: 2,
    contactRequest: 2,
    hello: 2,
    file: 8,
    groupinfo: 2,
    address: 2,
    reach: 1,
    link: 1,
    history: 2,
    devices: 4,
  },
  maxOutboundStreamsPerPeer: 32,
  ioTimeoutMs: 10_000,
  handlerTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  sessionIdleMs: 2_000,
  mailboxBatchItems: 64,
  mailboxBatchBytes: 1 * MiB,
  mailboxMaxItemsPerFetch: 4096,
  mailboxAckIds: 256,
  contactRequestPerPeer: { capacity: 3, refillPerSecond: 1 / 60 },
  contactRequestGlobal: { capacity: 20, refillPerSecond: 1 / 3 },
  keyPackagePerPeer: { capacity: 8, refillPerSecond: 1 / 30 },
  // One exchange per connection, a lookup every few seconds while a contact is away, pushes on changes.
  addressPerPeer: { capacity: 16, refillPerSecond: 1 / 2 },
  // A restored device asks once per group; each answer may carry a large ratchet tree.
  groupInfoPerPeer: { capacity: 8, refillPerSecond: 1 / 30 },
  groupInfoGlobal: { capacity: 32, refillPerSecond: 1 },
  // A peer asks once per discovery (mDNS answers arrive every 10 s at most).
  helloPerPeer: { capacity: 4, refillPerSecond: 1 / 10 },
  helloGlobal: { capacity: 64, refillPerSecond: 2 },
  // 4 attempts per peer per code's lifetime (10 min); 16 per node, +1 per 10 s.
  linkPerPeer: { capacity: 4, refillPerSecond: 1 / 150 },
  linkGlobal: { capacity: 16, refillPerSecond: 1 / 10 },
  // A head learnt in an exchange costs at most a fetch or two; pushes follow a link or a removal.
  devicesPerPeer: { capacity: 8, refillPerSecond: 1 / 10 },
  devicesGlobal: { capacity: 64, refillPerSecond: 2 },
  // A contact checks a new address once, then again after a minute at most.
  reachPerPeer: { capacity: 3, refillPerSecond: 1 / 60 },
  rateLimitPeers: 4096,
  contactDisplayNameBytes: 256,
  contactMessageBytes: 2 * KiB,
  contactInviteTokenBytes: 128,
};

/** Overrides merged over the defaults; nested records merge key by key. */
export interface NetLimitOverrides extends Partial<
  Omit<NetLimits, 'maxFrameBytes' | 'maxInboundStreamsPerPeer'>
> {
  maxFrameBytes?: Partial<Record<ProtocolName, number>>;
  maxInboundStreamsPerPeer?: Partial<Record<ProtocolName, number>>;
}

export function resolveLimits(overrides: NetLimitOverrides = {}): NetLimits {
  return {
    ...DEFAULT_LIMITS,
    ...overrides,
    maxFrameBytes: { ...DEFAULT_LIMITS.maxFrameBytes, ...overrides.maxFrameBytes },
    maxInboundStreamsPerPeer: {
      ...DEFAULT_LIMITS.maxInboundStreamsPerPeer,
      ...overrides.maxInboundStreamsPerPeer,
    },
  };
}
