import { describe, expect, it } from 'vitest';
import {
  decodeDeviceCertificate,
  decodeListedDeviceCertificate,
  issueListedDeviceCertificate,
  verifyDeviceCertificate,
} from './deviceCertificate';
import {
  decodeDeviceListEntry,
  deviceListHead,
  entryHash,
  MAX_DEVICE_LIST_ENTRY_BYTES,
  sameHead,
  signDeviceListEntry,
} from './deviceListEntry';
import { verifyDeviceList } from './deviceListVerify';
import { makeTestDevice, TestDeviceList } from './testing/deviceListFixture';

describe('device certificate kind 2 (§13.2)', () => {
  const issuer = makeTestDevice();
  const subject = makeTestDevice();
  const ik = new Uint8Array(32).fill(7);
  const cert = issueListedDeviceCertificate(
    issuer.sign,
    issuer.peerId,
    ik,
    subject.peerId,
    1_764_950_400_000,
  );

  it('round-trips with its issuer, and is refused where only kind 1 proves a device', () => {
    expect(decodeListedDeviceCertificate(cert)).toMatchObject({
      version: 1,
      kind: 2,
      peerId: subject.peerId,
      issuerPeerId: issuer.peerId,
      issuedAt: 1_764_950_400_000,
    });
    // Issue 14's readers (contact requests, hello): a kind 2 certificate alone proves nothing.
    expect(decodeDeviceCertificate(cert)).toBeNull();
    expect(verifyDeviceCertificate(cert, { peerId: subject.peerId, identityKey: ik })).toBeNull();
  });

  it('refuses cuts and extensions', () => {
    for (let n = 0; n < cert.length; n++)
      expect(decodeListedDeviceCertificate(cert.subarray(0, n))).toBeNull();
    expect(decodeListedDeviceCertificate(new Uint8Array([...cert, 0]))).toBeNull();
  });
});

describe('device list entries (§13.3)', () => {
  const list = new TestDeviceList();
  const second = list.add();
  list.remove(list.first, second);
  const [first, add, remove] = list.entries;
  if (!first || !add || !remove) throw new Error('fixture');

  it('round-trips add and remove entries byte for byte, with the sizes the design gives', () => {
    for (const e of list.entries) {
      const back = decodeDeviceListEntry(e.bytes);
      expect(back).toEqual(e);
      expect(back?.bytes).toEqual(e.bytes);
    }
    expect(first).toMatchObject({ op: 'add', seq: 0, signerPeerId: null, platform: 'linux' });
    expect(add).toMatchObject({
      op: 'add',
      seq: 1,
      signerPeerId: list.first.peerId,
      subjectPeerId: second.peerId,
    });
    expect(remove).toMatchObject({ op: 'remove', seq: 2, reason: 'removed', subjectPeerId: second.peerId });
    // §13.3: about 520 bytes (entry 0, kind 1 certificate), 630 (kind 2), 250 (remove).
    expect(first.bytes.length).toBeGreaterThan(480);
    expect(first.bytes.length).toBeLessThan(560);
    expect(add.bytes.length).toBeGreaterThan(580);
    expect(add.bytes.length).toBeLessThan(680);
    expect(remove.bytes.length).toBeGreaterThan(220);
    expect(remove.bytes.length).toBeLessThan(290);
  });

  it('chains by hash: each prev is the hash of the entry before, and the head names the last', () => {
    expect(add.prev).toEqual(entryHash(first.bytes));
    expect(remove.prev).toEqual(entryHash(add.bytes));
    const head = deviceListHead(list.entries);
    expect(head.seq).toBe(2);
    expect(sameHead(head, { seq: 2, hash: entryHash(remove.bytes) })).toBe(true);
    expect(sameHead(head, { seq: 1, hash: entryHash(remove.bytes) })).toBe(false);
    expect(() => deviceListHead([])).toThrow(RangeError);
  });

  it('never decodes a cut, an extension or an oversize input, and never throws', () => {
    for (const e of list.entries) {
      for (let n = 0; n < e.bytes.length; n++)
        expect(decodeDeviceListEntry(e.bytes.subarray(0, n))).toBeNull();
      expect(decodeDeviceListEntry(new Uint8Array([...e.bytes, 0]))).toBeNull();
    }
    expect(decodeDeviceListEntry(new Uint8Array(MAX_DEVICE_LIST_ENTRY_BYTES + 1))).toBeNull();
  });

  it('every flipped bit is refused: by the decoder or by verification', () => {
    const entries = list.bytes();
    for (const [k, e] of entries.entries()) {
      for (let i = 0; i < e.length; i++) {
        const bad = new Uint8Array(e);
        bad[i] = (bad[i] ?? 0) ^ 0x01;
        const mutated = entries.map((x, j) => (j === k ? bad : x));
        expect(verifyDeviceList(mutated).ok, `entry ${k} byte ${i}`).toBe(false);
      }
    }
  });

  it('refuses unknown op, platform and reason bytes, and non-canonical UTF-8', () => {
    const at = (b: Uint8Array, i: number, v: number): Uint8Array => {
      const c = new Uint8Array(b);
      c[i] = v;
      return c;
    };
    expect(decodeDeviceListEntry(at(add.bytes, 0, 2))).toBeNull(); // version
    expect(decodeDeviceListEntry(at(add.bytes, 1, 3))).toBeNull(); // op
    const subjectLen = Buffer.from(add.bytes).readUInt16BE(78);
    const certLen = Buffer.from(add.bytes).readUInt16BE(80 + subjectLen);
    const platformAt = 80 + subjectLen + 2 + certLen + 32;
    expect(decodeDeviceListEntry(at(add.bytes, platformAt, 5))).toBeNull();
    const reasonAt = 80 + Buffer.from(remove.bytes).readUInt16BE(78);
    expect(decodeDeviceListEntry(at(remove.bytes, reasonAt, 0))).toBeNull();
    expect(decodeDeviceListEntry(at(remove.bytes, reasonAt, 4))).toBeNull();
    // An overlong UTF-8 form in the subject PeerId (0xC0 0xAF for '/').
    const overlong = at(at(remove.bytes, 80, 0xc0), 81, 0xaf);
    expect(decodeDeviceListEntry(overlong)).toBeNull();
  });

  it('only entry 0 may be signed by the identity key (empty signer), and entry 0 always is', () => {
    // Hand-made: a remove at seq 1 with an empty signer field.
    const signerLenAt = remove.bytes.length - 64 - 2 - Buffer.byteLength(list.first.peerId);
    const head = remove.bytes.subarray(0, signerLenAt);
    const ikSigned = new Uint8Array([...head, 0, 0, ...remove.signature]);
    expect(decodeDeviceListEntry(ikSigned)).toBeNull();
    expect(() => signDeviceListEntry({ ...remove, seq: 0 }, list.first.sign)).toThrow(RangeError);
  });
});
