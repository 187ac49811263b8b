import type { AbortOptions } from '@libp2p/interface';
import { isPrivateIp } from '@libp2p/utils';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { TCP } from '@multiformats/multiaddr-matcher';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { ReachRequest, ReachResponse } from './proto/reach.generated';
import { decodeFrame, ensure, ProtocolService, readRequired, type InboundContext } from './protocolService';
import type { FrameStream } from './frameStream';
import type { ProtocolComponents, ProtocolFactory } from './protocolService';

/**
 * /parley/reach/1.0.0: "dial me back here" (issue 19 item 3; docs/protocol.md
 * §14.1). AutoNAT v1's question (libp2p spec autonat/autonat-v1.md), asked of
 * contacts only. A node with an address it cannot vouch for (a port its
 * router mapped by UPnP or NAT-PMP, a public address on its own interface)
 * asks a contact on another network to open a fresh connection to it there.
 *
 * Why not libp2p's own AutoNAT (@libp2p/autonat 3, @libp2p/autonat-v2 2):
 * both confirm an address only after 4 successful dial-backs from peers in
 * 4 different network segments, and look for those peers by a random walk
 * of the DHT. Parley has no DHT and a person may have one or two contacts
 * online, so an address would never be confirmed; and their server answers
 * any connected peer, where Parley's answers only contacts.
 *
 * The server side follows the spec's rules against being used to attack
 * others: it dials only addresses on the IP address the asker's own direct
 * connection comes from (never a third host), never private or loopback
 * addresses, at most 4 per request, TCP only, with a deadline; one request
 * at a time per contact and a few per minute (limits.ts `reachPerPeer`).
 */

export const MAX_REACH_ADDRESSES = 4;
export const MAX_REACH_ADDRESS_BYTES = 256;
/** How long one dial-back may take. */
export const DIAL_BACK_TIMEOUT_MS = 5_000;

export interface ReachInit {
  /** Tests on 127.0.0.1 only: dial private and loopback addresses back too. */
  dialPrivate?: boolean;
}

export type ReachAnswer =
  | { status: 'ok'; address: string }
  | { status: 'failed' }
  /** Nothing was dialled (no address on the asker's IP, or the contact answers nobody now). */
  | { status: 'refused' };

/** The reach protocol as a node service: every node answers its contacts. */
export function reachProtocol(init: ReachInit = {}): ProtocolFactory<ReachProtocol> {
  return (components) => new ReachProtocol(components, init);
}

/**
 * The asking side of one exchange on an open stream (used by ReachProtocol.ask
 * and by the node's reachability check, which asks on a connection it chose).
 */
export async function askOnStream(frames: FrameStream, addresses: Multiaddr[]): Promise<ReachAnswer> {
  if (addresses.length === 0 || addresses.length > MAX_REACH_ADDRESSES)
    throw new RangeError(`between 1 and ${MAX_REACH_ADDRESSES} addresses`);
  await frames.write(
    ReachRequest.encode({ version: FRAME_VERSION, addresses: addresses.map((a) => wireBytes(a.bytes)) }),
  );
  await frames.close();
  const response = decodeFrame(await readRequired(frames), ReachResponse.decode);
  if (response.status === ReachResponse.Status.REFUSED) return { status: 'refused' };
  if (response.status === ReachResponse.Status.DIAL_ERROR) return { status: 'failed' };
  ensure(response.address !== undefined && response.address.length > 0, 'OK without an address');
  let address: Multiaddr;
  try {
    address = multiaddr(response.address);
  } catch {
    ensure(false, 'not a multiaddr');
  }
  ensure(
    addresses.some((a) => a.equals(address)),
    'OK for an address we did not ask about',
  );
  return { status: 'ok', address: address.toString() };
}

export class ReachProtocol extends ProtocolService<ReachInit> {
  readonly name = 'reach';

  constructor(components: ProtocolComponents, init: ReachInit) {
    // Contacts only (the default edge); each request costs us a dial, so a few a minute per peer.
    super(components, { handler: init, rateLimit: { perPeer: components.limits.reachPerPeer } });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), ReachRequest.decode);
    ensure(request.addresses.length <= MAX_REACH_ADDRESSES, 'too many addresses');
    ensure(
      request.addresses.every((a) => a.length > 0 && a.length <= MAX_REACH_ADDRESS_BYTES),
      'address length',
    );
    const observed = this.components.directHost(peer);
    const targets = observed === null ? [] : this.dialable(request.addresses, observed);
    let response: Partial<ReachResponse> = { version: FRAME_VERSION, status: ReachResponse.Status.REFUSED };
    if (targets.length > 0) {
      response = { version: FRAME_VERSION, status: ReachResponse.Status.DIAL_ERROR };
      for (const target of targets) {
        // A fresh connection: the one this request came on proves nothing.
        const reached = await this.components
          .dialFresh(target.encapsulate(`/p2p/${peer}`), {
            signal: AbortSignal.timeout(DIAL_BACK_TIMEOUT_MS),
          })
          .catch(() => null);
        if (reached === peer) {
          response = {
            version: FRAME_VERSION,
            status: ReachResponse.Status.OK,
            address: wireBytes(target.bytes),
          };
          break;
        }
      }
    }
    await frames.write(ReachResponse.encode(response));
    this.countServed();
    await frames.close();
  }

  /** The asker's addresses we may dial: TCP on its own observed IP, public unless testing. */
  private dialable(addresses: Uint8Array[], observed: string): Multiaddr[] {
    const out: Multiaddr[] = [];
    for (const bytes of addresses) {
      let address: Multiaddr;
      try {
        address = multiaddr(bytes);
      } catch {
        continue;
      }
      if (!TCP.exactMatch(address)) continue;
      const host = address.getComponents()[0]?.value;
      if (host === undefined || host !== observed) continue;
      if (!this.served.dialPrivate && isPrivateIp(host) !== false) continue;
      out.push(address);
    }
    return out;
  }

  /** Asks `peer` (a contact) to dial us back on `addresses`. Throws NetError when it cannot be asked. */
  async ask(peer: string, addresses: Multiaddr[], options?: AbortOptions): Promise<ReachAnswer> {
    if (addresses.length === 0 || addresses.length > MAX_REACH_ADDRESSES)
      throw new RangeError(`between 1 and ${MAX_REACH_ADDRESSES} addresses`);
    return this.request(peer, (frames) => askOnStream(frames, addresses), options);
  }
}
