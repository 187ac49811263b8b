import { describe, expect, it } from 'vitest';
import { announcedAddresses } from './nodeReach';

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
