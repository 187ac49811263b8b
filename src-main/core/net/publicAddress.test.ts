import { describe, expect, it } from 'vitest';
import { MAX_PUBLIC_ADDRESSES, parsePublicAddress, parsePublicAddresses } from './publicAddress';

/** Public addresses as typed in Settings → Network (issue 19): made announceable, or refused with the reason. */

const problem = (text: string) => {
  const r = parsePublicAddress(text);
  return r.ok ? null : r.problem;
};

describe('a public address typed by the user', () => {
  it('accepts host:port and multiaddrs, IPv4 and IPv6, and gives the multiaddr announced', () => {
    expect(parsePublicAddress(' 81.2.69.160:4001 ')).toEqual({
      ok: true,
      address: '/ip4/81.2.69.160/tcp/4001',
    });
    expect(parsePublicAddress('[2a01:4f8::7]:4001')).toEqual({
      ok: true,
      address: '/ip6/2a01:4f8::7/tcp/4001',
    });
    expect(parsePublicAddress('/ip4/81.2.69.161/tcp/443')).toEqual({
      ok: true,
      address: '/ip4/81.2.69.161/tcp/443',
    });
  });

  it('says what is wrong with anything else', () => {
    expect(problem('')).toBe('The address is empty.');
    expect(problem('hello')).toMatch(/not an address.*host:port/);
    expect(problem('example.org:4001')).toMatch(/not an IP address. Names are not supported/);
    expect(problem('203.0.113.7:0')).toMatch(/Port 0 is not between 1 and 65535/);
    expect(problem('203.0.113.7:70000')).toMatch(/Port 70000/);
    expect(problem('/ip4/203.0.113.7')).toMatch(/IP address and a TCP port/);
    expect(problem('/ip4/203.0.113.7/udp/4001')).toMatch(/IP address and a TCP port/);
    expect(problem('/dns4/example.org/tcp/4001')).toMatch(/IP address and a TCP port/);
    expect(problem('/ip4/999.1.1.1/tcp/1')).toMatch(/not a valid multiaddr/);
    expect(problem('/ip4/203.0.113.7/tcp/4001/p2p-circuit')).toMatch(/IP address and a TCP port/);
    expect(problem('x'.repeat(201))).toBe('The address is too long.');
  });

  it('refuses addresses other networks cannot reach (a wrong one would stop the relays this device uses)', () => {
    expect(problem('127.0.0.1:4001')).toMatch(/not an address other networks can reach/);
    expect(problem('0.0.0.0:4001')).toMatch(/not an address other networks can reach/);
    expect(problem('[::1]:4001')).toMatch(/not an address other networks can reach/);
    expect(problem('192.168.1.20:4001')).toMatch(/private or reserved address/);
    expect(problem('10.0.0.5:4001')).toMatch(/private or reserved address/);
    expect(problem('203.0.113.7:4001')).toMatch(/private or reserved address/); // documentation range
    expect(problem('169.254.3.4:4001')).toMatch(/private or reserved address/);
    expect(problem('[fd00::1]:4001')).toMatch(/private or reserved address/);
  });

  it('takes a list: duplicates once, the first problem, at most eight', () => {
    expect(parsePublicAddresses(['81.2.69.160:4001', '/ip4/81.2.69.160/tcp/4001'])).toEqual({
      ok: true,
      addresses: ['/ip4/81.2.69.160/tcp/4001'],
    });
    expect(parsePublicAddresses(['203.0.113.7:4001', 'nope'])).toMatchObject({ ok: false });
    expect(
      parsePublicAddresses(
        Array.from({ length: MAX_PUBLIC_ADDRESSES + 1 }, (_, i) => `203.0.113.${i + 1}:1`),
      ),
    ).toEqual({
      ok: false,
      problem: 'At most 8 public addresses.',
    });
    expect(parsePublicAddresses([])).toEqual({ ok: true, addresses: [] });
  });
});
