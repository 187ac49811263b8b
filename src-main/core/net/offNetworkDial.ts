import { BlockList } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { PeerStore } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { isLoopback, isPrivate } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';

/**
 * Which private addresses are worth dialling (issue 19; docs/protocol.md
 * §14.4). A contact's address record carries its private (RFC 1918, RFC
 * 4193) addresses so contacts on its LAN reach it directly. From another
 * network such an address leads nowhere, usually silently (a router drops
 * it), and libp2p dials a peer's addresses one after another within one
 * dial timeout: after its relayed address was refused (the relay had no
 * reservation yet, or was restarting) the dial hung on the private one for
 * the rest of the 5 s and failed with a timeout that hid the relay's answer.
 * So a private address that is on none of our own networks is not dialled
 * when the peer has a relayed address to be reached by instead. A private
 * network routed beyond our own subnet (some offices, VPNs) is then reached
 * through the relay; without a relayed address everything is dialled as
 * before.
 */

/** Our interfaces' subnets, read on every call: networks come and go (Wi-Fi, VPN). */
function ourNetworks(): BlockList {
  const list = new BlockList();
  for (const iface of Object.values(networkInterfaces()).flat()) {
    if (!iface?.cidr) continue;
    const [network, prefix] = iface.cidr.split('/');
    if (network === undefined || prefix === undefined) continue;
    list.addSubnet(network, Number(prefix), iface.family === 'IPv4' ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** A private, not loopback, IP address of none of our networks (false for anything else). */
export function offOurNetworks(address: Multiaddr, networks: BlockList = ourNetworks()): boolean {
  if (address.toString().includes('/p2p-circuit')) return false;
  if (!isPrivate(address) || isLoopback(address)) return false;
  const [first] = address.getComponents();
  if (first === undefined || first.value === undefined) return false;
  if (first.name === 'ip4') return !networks.check(first.value, 'ipv4');
  // Link-local IPv6 (fe80::/10) belongs to every link we are on.
  if (first.name === 'ip6')
    return !first.value.toLowerCase().startsWith('fe80') && !networks.check(first.value, 'ipv6');
  return false;
}

/** The peer named at the end of an address (`…/p2p/<peer>`), or null. */
function peerOf(address: Multiaddr): string | null {
  const last = address.getComponents().findLast((c) => c.name === 'p2p');
  return last?.value ?? null;
}

/**
 * libp2p's `denyDialMultiaddr`: true for a private address off our networks
 * of a peer we know a relayed address of.
 */
export async function denyOffNetworkDial(
  address: Multiaddr,
  peerStore: PeerStore | undefined,
): Promise<boolean> {
  if (peerStore === undefined || !offOurNetworks(address)) return false;
  const peer = peerOf(address);
  if (peer === null) return false;
  try {
    const known = await peerStore.get(peerIdFromString(peer));
    return known.addresses.some((a) => a.multiaddr.toString().includes('/p2p-circuit'));
  } catch {
    return false;
  }
}
