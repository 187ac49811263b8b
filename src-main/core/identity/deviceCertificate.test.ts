import { describe, expect, it } from 'vitest';
import {
  decodeDeviceCertificate,
  deviceCertificateId,
  issueDeviceCertificate,
  MAX_DEVICE_CERTIFICATE_BYTES,
  verifyDeviceCertificate,
} from './deviceCertificate';
import { generateIdentityKey } from './identityKey';

const PEER = '12D3KooWRaP6T3L8KUsbcuvuGTQ4Ubb7DxXMoVNqHoaL1ZbbQqHc';
const OTHER_PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq';

describe('device certificates', () => {
  const ada = generateIdentityKey();
  const eve = generateIdentityKey();
  const cert = issueDeviceCertificate(ada.privateKey, ada.publicKey, PEER, 1_732_262_400_000);

  it('round-trips and verifies for exactly its device and identity', () => {
    expect(cert.length).toBe(160);
    expect(decodeDeviceCertificate(cert)).toMatchObject({
      version: 1,
      kind: 1,
      peerId: PEER,
      issuedAt: 1_732_262_400_000,
      identityKey: new Uint8Array(ada.publicKey),
    });
    expect(verifyDeviceCertificate(cert, { peerId: PEER })).not.toBeNull();
    expect(verifyDeviceCertificate(cert, { peerId: PEER, identityKey: ada.publicKey })).not.toBeNull();
    expect(verifyDeviceCertificate(cert, { peerId: OTHER_PEER })).toBeNull();
    expect(verifyDeviceCertificate(cert, { peerId: PEER, identityKey: eve.publicKey })).toBeNull();
    expect(verifyDeviceCertificate(undefined, { peerId: PEER })).toBeNull();
  });

  it('fails on every changed byte, every cut and every extension', () => {
    for (let i = 0; i < cert.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = new Uint8Array(cert);
        bad[i] = (bad[i] ?? 0) ^ bit;
        expect(verifyDeviceCertificate(bad, { peerId: PEER }), `byte ${i}`).toBeNull();
      }
    }
    for (let n = 0; n < cert.length; n++) {
      expect(verifyDeviceCertificate(cert.subarray(0, n), { peerId: PEER })).toBeNull();
    }
    const longer = new Uint8Array(cert.length + 1);
    longer.set(cert);
    expect(verifyDeviceCertificate(longer, { peerId: PEER })).toBeNull();
    expect(decodeDeviceCertificate(new Uint8Array(MAX_DEVICE_CERTIFICATE_BYTES + 1))).toBeNull();
  });

  it('cannot be made by another identity key for someone else', () => {
    // Eve signs a certificate that claims Ada's key: the layout names Ada, the signature is Eve's.
    const forged = issueDeviceCertificate(eve.privateKey, eve.publicKey, PEER, 1);
    const claimed = new Uint8Array(forged);
    claimed.set(ada.publicKey, 2);
    expect(verifyDeviceCertificate(claimed, { peerId: PEER, identityKey: ada.publicKey })).toBeNull();
  });

  it('verifies from inside a larger buffer (a decoded protobuf field)', () => {
    const frame = new Uint8Array(cert.length + 10);
    frame.set(cert, 5);
    expect(verifyDeviceCertificate(frame.subarray(5, 5 + cert.length), { peerId: PEER })).not.toBeNull();
  });

  it('has a stable id a device list can name it by', () => {
    expect(Buffer.from(deviceCertificateId(cert)).toString('hex')).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceCertificateId(cert)).toEqual(deviceCertificateId(new Uint8Array(cert)));
  });

  it('refuses to issue for malformed input', () => {
    expect(() => issueDeviceCertificate(ada.privateKey, ada.publicKey.subarray(1), PEER, 1)).toThrow(
      RangeError,
    );
    expect(() => issueDeviceCertificate(ada.privateKey, ada.publicKey, '', 1)).toThrow(RangeError);
    expect(() => issueDeviceCertificate(ada.privateKey, ada.publicKey, PEER, -1)).toThrow(RangeError);
  });
});
