import { describe, expect, it } from 'vitest';
import { bestPath, connectionPath } from './connectionPath';

const cy = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';
const ann = '12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL';

describe('how a connection reaches its peer (issue 19 item 4)', () => {
  it('a /p2p-circuit address is relayed, by the peer before /p2p-circuit', () => {
    expect(connectionPath(`/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit/p2p/${ann}`)).toEqual({
      kind: 'relay',
      relay: cy,
    });
    expect(connectionPath(`/ip4/127.0.0.1/tcp/4001/p2p/${cy}/p2p-circuit`)).toEqual({
      kind: 'relay',
      relay: cy,
    });
  });

  it('a WebRTC connection signalled through a relay is direct over the internet (issue 19, direct upgrade)', () => {
    expect(connectionPath(`/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit/webrtc/p2p/${ann}`)).toEqual({
      kind: 'internet',
    });
  });

  it('private and loopback addresses are the LAN; anything else is direct over the internet', () => {
    expect(connectionPath('/ip4/192.168.1.20/tcp/4001')).toEqual({ kind: 'lan' });
    expect(connectionPath('/ip4/10.3.1.2/tcp/4001')).toEqual({ kind: 'lan' });
    expect(connectionPath('/ip4/127.0.0.1/tcp/50000')).toEqual({ kind: 'lan' });
    expect(connectionPath('/ip6/fe80::1/tcp/4001')).toEqual({ kind: 'lan' });
    expect(connectionPath('/ip4/11.0.0.3/tcp/4001')).toEqual({ kind: 'internet' });
    expect(connectionPath('/ip6/2a00:1450:4001::1/tcp/4001')).toEqual({ kind: 'internet' });
    expect(connectionPath('garbage')).toEqual({ kind: 'internet' });
  });

  it('of several connections the best counts: LAN, then internet, then relayed', () => {
    const relayed = `/ip4/11.0.0.3/tcp/4001/p2p/${cy}/p2p-circuit/p2p/${ann}`;
    expect(bestPath([relayed, '/ip4/11.0.0.9/tcp/4001'])).toEqual({ kind: 'internet' });
    expect(bestPath(['/ip4/11.0.0.9/tcp/4001', '/ip4/10.0.0.2/tcp/1'])).toEqual({ kind: 'lan' });
    expect(bestPath([relayed])).toEqual({ kind: 'relay', relay: cy });
    expect(bestPath([])).toBeNull();
  });
});
