import { BlockList } from 'node:net';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { offOurNetworks } from './offNetworkDial';

/** Home b of the NAT rig: 10.0.2.0/24 and a ULA /64. */
function homeB(): BlockList {
  const list = new BlockList();
  list.addSubnet('10.0.2.2', 24, 'ipv4');
  list.addSubnet('fd00:0:0:2::2', 64, 'ipv6');
  return list;
}

describe('private addresses off our networks (issue 19)', () => {
  it("another home's private address is off our networks; our own subnet's is not", () => {
    expect(offOurNetworks(multiaddr('/ip4/10.0.1.2/tcp/4001'), homeB())).toBe(true);
    expect(offOurNetworks(multiaddr('/ip4/192.168.1.5/tcp/4001'), homeB())).toBe(true);
    expect(offOurNetworks(multiaddr('/ip4/10.0.2.77/tcp/4001'), homeB())).toBe(false);
    expect(offOurNetworks(multiaddr('/ip6/fd00:0:0:1::2/tcp/4001'), homeB())).toBe(true);
    expect(offOurNetworks(multiaddr('/ip6/fd00:0:0:2::9/tcp/4001'), homeB())).toBe(false);
  });

  it('public, loopback, link-local and relayed addresses are always dialled', () => {
    expect(offOurNetworks(multiaddr('/ip4/11.0.0.3/tcp/4001'), homeB())).toBe(false);
    expect(offOurNetworks(multiaddr('/ip4/127.0.0.1/tcp/4001'), homeB())).toBe(false);
    expect(offOurNetworks(multiaddr('/ip6/fe80::1/tcp/4001'), homeB())).toBe(false);
    expect(
      offOurNetworks(
        multiaddr(
          '/ip4/10.0.1.9/tcp/4001/p2p/12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE/p2p-circuit',
        ),
        homeB(),
      ),
    ).toBe(false);
  });
});
