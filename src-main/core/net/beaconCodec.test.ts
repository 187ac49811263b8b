import { describe, expect, it } from 'vitest';
import {
  BEACON_EPOCH_MS,
  beaconEpoch,
  beaconToken,
  MAX_BEACON_ADDRESSES,
  openBeacon,
  sealBeacon,
} from './beaconCodec';

const key = new Uint8Array(32).fill(7);
const other = new Uint8Array(32).fill(8);
const addresses = ['/ip4/192.168.1.20/tcp/4100', '/ip6/fe80::1/tcp/4100'];

describe('the LAN beacon: what contacts recognise and strangers cannot read', () => {
  it('seals addresses that only the key opens, bound to the token', () => {
    const epoch = beaconEpoch(Date.now());
    const { token, sealed } = sealBeacon(key, epoch, addresses);
    expect(token).toEqual(beaconToken(key, epoch));
    expect(openBeacon(key, token, sealed)).toEqual(addresses);
    expect(openBeacon(other, token, sealed)).toBeNull();
    // The token is part of the authenticated data: replayed under another token, it fails.
    expect(openBeacon(key, beaconToken(key, epoch + 1), sealed)).toBeNull();
    const flipped = sealed.slice();
    flipped[30] = (flipped[30] ?? 0) ^ 1;
    expect(openBeacon(key, token, flipped)).toBeNull();
    expect(openBeacon(key, token, sealed.subarray(0, 20))).toBeNull();
  });

  it('changes the token every epoch and per key, and shows no address in the clear', () => {
    const epoch = 2_000_000;
    expect(beaconToken(key, epoch)).not.toEqual(beaconToken(key, epoch + 1));
    expect(beaconToken(key, epoch)).not.toEqual(beaconToken(other, epoch));
    expect(beaconToken(key, epoch)).toHaveLength(16);
    expect(beaconEpoch(BEACON_EPOCH_MS * 5 + 1)).toBe(5);
    const { sealed } = sealBeacon(key, epoch, addresses);
    // Same addresses twice: different bytes (random nonce), so announcements do not link.
    expect(Buffer.from(sealBeacon(key, epoch, addresses).sealed).equals(Buffer.from(sealed))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from([192, 168, 1, 20]))).toBe(false);
  });

  it('announces at most 8 addresses and skips what is not a multiaddr', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/ip4/10.0.0.${i}/tcp/4100`);
    const { token, sealed } = sealBeacon(key, 1, ['not an address', ...many]);
    expect(openBeacon(key, token, sealed)).toEqual(many.slice(0, MAX_BEACON_ADDRESSES));
  });
});
