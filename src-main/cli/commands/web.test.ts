import { describe, expect, it } from 'vitest';
import { webNetwork } from './web';

/**
 * Issue 13, finding 4: the web shell joined the network without mDNS, so
 * Nearby stayed empty while Settings said "Discoverable on this network". The
 * end-to-end proof is e2e/nearby.spec.ts (two web shells find each other
 * inside a private namespace); this pins the option the shell passes down.
 */
describe('parley web: the network it joins', () => {
  it('stays offline without PARLEY_LISTEN', () => {
    expect(webNetwork({})).toBeUndefined();
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
});
