import { serviceCapabilities } from '@libp2p/interface';
import type { Connection, Libp2pEvents, TypedEventTarget } from '@libp2p/interface';
import { isPrivateIp } from '@libp2p/utils';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { TCP } from '@multiformats/multiaddr-matcher';
import { errorFields, type Logger } from '../util/logger';
import { FrameStream } from './frameStream';
import { DEFAULT_LIMITS, PROTOCOL_IDS } from './limits';
import { peerTag } from './protocolErrors';
import { askOnStream, DIAL_BACK_TIMEOUT_MS, MAX_REACH_ADDRESSES, type ReachAnswer } from './reachProtocol';

/**
 * Does the rest of the internet reach this node? (issue 19 item 3;
 * docs/protocol.md §14.1). libp2p keeps, beside the addresses it trusts,
 * ones it cannot vouch for: a port the home router mapped for us by UPnP IGD
 * or NAT-PMP (RFC 6886), and a public IP address on our own interface (a
 * VPS). This service asks up to three contacts on other networks to dial us
 * back there (/parley/reach/1.0.0, reachProtocol.ts); one that reaches us
 * confirms the address (libp2p then announces it: identify, our address
 * record, invites), one that fails unconfirms it for a minute. Nothing is
 * asked of anyone but contacts' devices we are directly connected to.
 *
 * `onReachable` is told when the node starts or stops having a confirmed
 * public address: a reachable node relays for its contacts (contactRelay.ts).
 */

/** The part of libp2p's address manager this service uses (the real one satisfies it). */
export interface CheckedAddressManager {
  getAddresses(): Multiaddr[];
  getAddressesWithMetadata(): { multiaddr: Multiaddr; verified: boolean; type: string }[];
  confirmObservedAddr(addr: Multiaddr): void;
  removeObservedAddr(addr: Multiaddr): void;
}

export interface ReachabilityCheckComponents {
  addressManager: CheckedAddressManager;
  connectionManager: { getConnections(): Connection[] };
  events: TypedEventTarget<Libp2pEvents>;
}

export interface ReachabilityCheckInit {
  /** A contact's device that is not blocked: may be asked. */
  isCandidate(peer: string): boolean;
  /** Asks one peer to dial us back; default: /parley/reach/1.0.0 on our direct connection to it. */
  ask?(connection: Connection, addresses: Multiaddr[]): Promise<ReachAnswer>;
  onReachable(reachable: boolean): void;
  logger: Logger;
  clock?: () => number;
  /** How often addresses are looked at, ms (default 5 s). */
  checkMs?: number;
  /** After a failed (or unanswered) check, wait this long before asking again, ms (default 60 s). */
  retryMs?: number;
}

/** At most this many contacts asked per round. */
const ASKED_PER_ROUND = 3;

export class ReachabilityCheck {
  private readonly clock: () => number;
  private readonly retryMs: number;
  private readonly nextTry = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private checking = false;
  private reachable = false;

  constructor(
    private readonly components: ReachabilityCheckComponents,
    private readonly init: ReachabilityCheckInit,
  ) {
    this.clock = init.clock ?? Date.now;
    this.retryMs = init.retryMs ?? 60_000;
  }

  readonly [Symbol.toStringTag] = 'parley/reachability-check';
  /** libp2p's UPnP service leaves a mapped port unconfirmed for an AutoNAT service to check: this is one. */
  readonly [serviceCapabilities]: string[] = ['@libp2p/autonat'];

  start(): void {
    this.running = true;
    this.components.events.addEventListener('self:peer:update', this.onChange);
    this.components.events.addEventListener('connection:open', this.onChange);
    this.timer = setInterval(() => void this.check(), this.init.checkMs ?? 5_000);
  }

  stop(): void {
    this.running = false;
    this.components.events.removeEventListener('self:peer:update', this.onChange);
    this.components.events.removeEventListener('connection:open', this.onChange);
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.soon = undefined;
  }

  /** Confirmed public, non-relayed addresses (what makes this node reachable). */
  publicAddresses(): string[] {
    return this.components.addressManager
      .getAddresses()
      .filter((a) => !a.toString().includes('/p2p-circuit') && this.isPublic(a))
      .map(String);
  }

  get isReachable(): boolean {
    return this.reachable;
  }

  private readonly onChange = (): void => {
    if (!this.running || this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.check();
    }, 200);
  };

  private isPublic(address: Multiaddr): boolean {
    const host = address.getComponents()[0]?.value;
    if (host === undefined) return false;
    return isPrivateIp(host) === false;
  }

  /** Unconfirmed TCP addresses that would make us reachable: UPnP mappings, public interface addresses. */
  private unconfirmed(now: number): Multiaddr[] {
    return this.components.addressManager
      .getAddressesWithMetadata()
      .filter(
        (a) =>
          !a.verified &&
          (a.type === 'ip-mapping' || a.type === 'transport') &&
          TCP.exactMatch(a.multiaddr) &&
          this.isPublic(a.multiaddr) &&
          (this.nextTry.get(a.multiaddr.toString()) ?? 0) <= now,
      )
      .map((a) => a.multiaddr)
      .slice(0, MAX_REACH_ADDRESSES);
  }

  /** Contacts' devices we have a direct connection to, on another host than the addresses to check. */
  private askers(addresses: Multiaddr[]): Connection[] {
    const hosts = new Set(addresses.map((a) => a.getComponents()[0]?.value));
    const out = new Map<string, Connection>();
    for (const conn of this.components.connectionManager.getConnections()) {
      const peer = conn.remotePeer.toString();
      if (conn.status !== 'open' || conn.limits !== undefined) continue;
      if (conn.remoteAddr.toString().includes('/p2p-circuit')) continue;
      // A peer behind the same router would reach the mapping from inside (hairpin): no proof.
      if (hosts.has(conn.remoteAddr.getComponents()[0]?.value)) continue;
      if (!this.init.isCandidate(peer) || out.has(peer)) continue;
      out.set(peer, conn);
      if (out.size >= ASKED_PER_ROUND) break;
    }
    return [...out.values()];
  }

  /** One round: bounded by ASKED_PER_ROUND requests, each bounded by the protocol's deadline. */
  async check(): Promise<void> {
    if (!this.running || this.checking) return;
    this.checking = true;
    try {
      const now = this.clock();
      const addresses = this.unconfirmed(now);
      const askers = addresses.length > 0 ? this.askers(addresses) : [];
      if (askers.length > 0) await this.askRound(addresses, askers);
    } finally {
      this.checking = false;
      this.report();
    }
  }

  private async askRound(addresses: Multiaddr[], askers: Connection[]): Promise<void> {
    let failed = false;
    for (const conn of askers) {
      const peer = conn.remotePeer.toString();
      let answer: ReachAnswer;
      try {
        answer = await (this.init.ask ?? askOver)(conn, addresses);
      } catch (err) {
        this.init.logger.log('debug', 'net.reach.ask_failed', { peer: peerTag(peer), ...errorFields(err) });
        continue;
      }
      if (answer.status === 'ok') {
        this.init.logger.log('info', 'net.reach.confirmed', { peer: peerTag(peer), address: answer.address });
        this.components.addressManager.confirmObservedAddr(multiaddr(answer.address));
        return;
      }
      if (answer.status === 'failed') failed = true;
    }
    const retryAt = this.clock() + this.retryMs;
    for (const address of addresses) {
      this.nextTry.set(address.toString(), retryAt);
      if (failed) this.components.addressManager.removeObservedAddr(address);
    }
    if (failed) this.init.logger.log('info', 'net.reach.unreachable', { addresses: addresses.length });
  }

  private report(): void {
    const reachable = this.running && this.publicAddresses().length > 0;
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    try {
      this.init.onReachable(reachable);
    } catch (err) {
      this.init.logger.log('error', 'net.reach.listener_failed', errorFields(err));
    }
  }
}

/** /parley/reach/1.0.0 on this connection, bounded by the contact's dial-backs and our frame deadline. */
async function askOver(conn: Connection, addresses: Multiaddr[]): Promise<ReachAnswer> {
  const signal = AbortSignal.timeout(DIAL_BACK_TIMEOUT_MS * addresses.length + DEFAULT_LIMITS.ioTimeoutMs);
  const stream = await conn.newStream(PROTOCOL_IDS.reach, { signal });
  const frames = new FrameStream(stream, {
    maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes.reach,
    // The answer comes after the contact's dial-backs.
    timeoutMs: DIAL_BACK_TIMEOUT_MS * addresses.length + DEFAULT_LIMITS.ioTimeoutMs,
  });
  try {
    return await askOnStream(frames, addresses);
  } catch (err) {
    frames.abort(err instanceof Error ? err : new Error('reach failed'));
    throw err;
  } finally {
    frames.dispose();
  }
}

/** The libp2p service factory (`services: { reachability: reachabilityCheck(init) }`). */
export function reachabilityCheck(
  init: ReachabilityCheckInit,
): (components: ReachabilityCheckComponents) => ReachabilityCheck {
  return (components) => new ReachabilityCheck(components, init);
}
