import { BlockList } from 'node:net';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import type { PeerStore } from '@libp2p/interface';
import { denyOffNetworkDial, offOurNetworks } from './offNetworkDial';

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

describe('dialling a peer with a relayed address (issue 19)', () => {
  const ann = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';
  const cy = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
  /** A peer store that knows Ann at these addresses. */
  const store = (addresses: string[]): PeerStore =>
    ({
      get: async () => ({
        addresses: addresses.map((a) => ({ multiaddr: multiaddr(a), isCertified: false })),
      }),
    }) as unknown as PeerStore;
  // Another home's private network: RFC 1918 space on no interface of the test machine.
  const offNetwork = multiaddr(`/ip4/172.31.254.9/tcp/4001/p2p/${ann}`);

  it('skips her private address off our networks only when she can be reached through a relay', async () => {
    const relayed = `/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit`;
    expect(await denyOffNetworkDial(offNetwork, store(['/ip4/172.31.254.9/tcp/4001', relayed]))).toBe(true);
    expect(await denyOffNetworkDial(offNetwork, store(['/ip4/172.31.254.9/tcp/4001']))).toBe(false);
    expect(await denyOffNetworkDial(multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${ann}`), store([relayed]))).toBe(
      false,
    );
    expect(await denyOffNetworkDial(offNetwork, undefined)).toBe(false);
  });
});
