import { describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { announcedAddresses, hasPublicAddress, relayedDialAddresses } from './reachAddresses';

const me = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';
const cy = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
const eve = '12D3KooWLYVkQzhBLVNcJMPRZ7Qe7wLp9xzxsjf1dxhysbFFGNNh';
const direct = (n: number) => `/ip4/10.0.0.${n}/tcp/4001/p2p/${me}`;
const via = (relay: string) => `/ip4/203.0.113.9/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${me}`;

describe('the addresses a node tells (issue 19)', () => {
  it('puts a relayed address where an invite (4 addresses) still carries it', () => {
    const all = [direct(1), direct(2), direct(3), direct(4), direct(5), via(cy)];
    expect(announcedAddresses(all, [cy])).toEqual([
      direct(1),
      direct(2),
      direct(3),
      via(cy),
      direct(4),
      direct(5),
    ]);
  });

  it('never tells a relayed address through a peer the keeper did not choose', () => {
    // libp2p reserves on any peer that relayed a connection to us; that one stays untold.
    expect(announcedAddresses([direct(1), via(eve), via(cy)], [cy])).toEqual([direct(1), via(cy)]);
    expect(announcedAddresses([direct(1), via(eve)], [])).toEqual([direct(1)]);
  });
});

describe('who is on another network, and how to dial through its relays (issue 19)', () => {
  it('a peer with an internet address (or a relayed one through a public relay) is on another network', () => {
    expect(hasPublicAddress(['/ip4/11.0.0.3/tcp/4001'])).toBe(true);
    expect(hasPublicAddress([`/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit`])).toBe(true);
    expect(
      hasPublicAddress(['/ip4/192.168.1.20/tcp/4001', '/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/1']),
    ).toBe(false);
    expect(hasPublicAddress(['/ip4/10.3.1.2/tcp/4001', '/ip6/fd00::5/tcp/4001'])).toBe(false);
    expect(hasPublicAddress(['not an address', ''])).toBe(false);
  });

  it('dials only the relayed addresses, each ending in the peer', () => {
    const addrs = [
      multiaddr('/ip4/10.0.0.1/tcp/4001'),
      multiaddr(`/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit`),
      multiaddr(`/ip4/11.0.0.4/tcp/4001/p2p/${eve}/p2p-circuit/p2p/${me}`),
    ];
    expect(relayedDialAddresses(me, addrs).map(String)).toEqual([
      `/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit/p2p/${me}`,
      `/ip4/11.0.0.4/tcp/4001/p2p/${eve}/p2p-circuit/p2p/${me}`,
    ]);
  });
});
