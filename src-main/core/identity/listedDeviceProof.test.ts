import { describe, expect, it } from 'vitest';
import { issueDeviceCertificate, issueListedDeviceCertificate } from './deviceCertificate';
import { verifyDeviceList } from './deviceListVerify';
import { proveListedDevice } from './listedDeviceProof';
import { TestDeviceList } from './testing/deviceListFixture';

function state(list: TestDeviceList) {
  const v = verifyDeviceList(list.bytes());
  if (!v.ok) throw new Error(v.reason);
  return v.state;
}

const certOf = (list: TestDeviceList, seq: number): Uint8Array => {
  const e = list.entries[seq];
  if (e?.op !== 'add') throw new Error('not an add');
  return e.certificate;
};

describe('a device outside groups, proven by the list (docs/protocol.md §13.6)', () => {
  it('proves a linked device by the kind 2 certificate its add entry carries', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    expect(proveListedDevice(state(list), laptop.peerId, certOf(list, 1))).toEqual({ ok: true });
  });

  it('proves entry 0 by any identity-key certificate of its own (device 0 issues one at every start)', () => {
    const list = new TestDeviceList();
    const fresh = issueDeviceCertificate(list.identity.privateKey, list.identityKey, list.first.peerId, 42);
    expect(proveListedDevice(state(list), list.first.peerId, fresh)).toEqual({ ok: true });
  });

  it('refuses a kind 1 certificate for a listed device other than entry 0', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const byIk = issueDeviceCertificate(list.identity.privateKey, list.identityKey, laptop.peerId, 42);
    expect(proveListedDevice(state(list), laptop.peerId, byIk)).toEqual({
      ok: false,
      reason: 'kind1-not-entry-0',
    });
  });

  it('refuses a removed device, whatever it shows', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    list.remove(list.first, laptop);
    expect(proveListedDevice(state(list), laptop.peerId, certOf(list, 1))).toEqual({
      ok: false,
      reason: 'removed',
    });
  });

  it("refuses a device the list does not name (a stranger, another person's device)", () => {
    const ann = new TestDeviceList();
    const bob = new TestDeviceList();
    const bobsLaptop = bob.add();
    expect(proveListedDevice(state(ann), bobsLaptop.peerId, certOf(bob, 1))).toEqual({
      ok: false,
      reason: 'unlisted',
    });
  });

  it('refuses a kind 2 certificate other than the entry carries, one for another device, and none', () => {
    const list = new TestDeviceList();
    const laptop = list.add();
    const phone = list.add();
    // A genuine-looking kind 2 by an active device, but not the one in the entry (another issue time).
    const other = issueListedDeviceCertificate(
      list.first.sign,
      list.first.peerId,
      list.identityKey,
      laptop.peerId,
      7,
    );
    expect(proveListedDevice(state(list), laptop.peerId, other)).toEqual({
      ok: false,
      reason: 'certificate',
    });
    expect(proveListedDevice(state(list), laptop.peerId, certOf(list, 2))).toEqual({
      ok: false,
      reason: 'certificate',
    });
    expect(proveListedDevice(state(list), phone.peerId, undefined)).toEqual({
      ok: false,
      reason: 'certificate',
    });
    const cut = certOf(list, 2).subarray(0, 100);
    expect(proveListedDevice(state(list), phone.peerId, cut)).toEqual({ ok: false, reason: 'certificate' });
  });
});
