import { describe, expect, it } from 'vitest';
import { webNetwork } from './web';

/**
 * Issue 13, finding 4: the web shell joined the network without mDNS, so
 * Nearby stayed empty while Settings said "Discoverable on this network". The
 * end-to-end proof is e2e/nearby.spec.ts (two web shells find each other
 * inside a private namespace); this pins the option the shell passes down.
 */
describe('parley web: the network it joins', () => {
  it('without PARLEY_LISTEN starts offline, ready to join the LAN like the app on "Go online"', () => {
    expect(webNetwork({})).toEqual({ listen: ['/ip4/0.0.0.0/tcp/0'], mdns: true, startOffline: true });
    expect(webNetwork({ PARLEY_MDNS: 'off' })).toMatchObject({ mdns: false, startOffline: true });
  });

  it('--offline starts offline on PARLEY_LISTEN too', () => {
    expect(webNetwork({ PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0' }, true)).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: true,
      startOffline: true,
    });
  });

  it('joins on PARLEY_LISTEN with LAN discovery, as the desktop app does', () => {
    expect(webNetwork({ PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0' })).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: true,
    });
  });

  it('keeps mDNS off with PARLEY_MDNS=off', () => {
    expect(webNetwork({ PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/0', PARLEY_MDNS: 'off' })).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
  });

  it('PARLEY_PUBLIC names the addresses other networks reach it on, as `parley node --public` (issue 19)', () => {
    expect(
      webNetwork({ PARLEY_LISTEN: '/ip4/127.0.0.1/tcp/4001', PARLEY_PUBLIC: '/ip4/127.0.0.1/tcp/4001' }),
    ).toMatchObject({ publicAddresses: ['/ip4/127.0.0.1/tcp/4001'] });
    expect(() => webNetwork({ PARLEY_PUBLIC: '203.0.113.7:4001' })).toThrow(
      /PARLEY_PUBLIC must be multiaddrs/,
    );
  });
});
