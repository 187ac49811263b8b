import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateIdentityKey } from './identityKey';
import {
  certifyDevice,
  decodeDeviceCredential,
  encodeDeviceCredential,
  verifyDeviceCredential,
} from './credential';

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';

describe('device credential', () => {
  const id = generateIdentityKey();
  const sigKey = randomBytes(32);
  const cred = certifyDevice(id.privateKey, id.publicKey, PEER, sigKey);

  it('verifies a certificate made by the identity key, and round-trips its encoding', () => {
    expect(verifyDeviceCredential(cred)).toBe(true);
    const decoded = decodeDeviceCredential(encodeDeviceCredential(cred));
    expect(decoded).not.toBeNull();
    expect(verifyDeviceCredential(decoded!)).toBe(true);
    expect(decoded!.peerId).toBe(PEER);
  });

  it('rejects a certificate moved to another device, key or identity', () => {
    expect(verifyDeviceCredential({ ...cred, peerId: PEER.replace('Q', 'R') })).toBe(false);
    expect(verifyDeviceCredential({ ...cred, signatureKey: randomBytes(32) })).toBe(false);
    expect(verifyDeviceCredential({ ...cred, identityKey: generateIdentityKey().publicKey })).toBe(false);
  });

  it('never throws on malformed bytes', () => {
    const good = Buffer.from(encodeDeviceCredential(cred));
    for (let cut = 0; cut < good.length; cut += 7)
      expect(decodeDeviceCredential(good.subarray(0, cut))).toBeNull();
    for (let i = 0; i < 200; i++) {
      const junk = randomBytes(Math.floor(Math.random() * 200));
      const d = decodeDeviceCredential(junk);
      if (d) expect(verifyDeviceCredential(d)).toBe(false);
    }
  });
});
