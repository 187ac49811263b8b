import { describe, expect, it } from 'vitest';
import { verifyDeviceList, type DeviceListState } from '../identity/deviceListVerify';
import {
  certifyDevice,
  decodeAnyDeviceCredential,
  encodeListedDeviceCredential,
  type AnyDeviceCredential,
} from '../identity/credential';
import { makeTestDevice } from '../identity/testing/deviceListFixture';
import { ListedPerson, type ListedDevice } from '../mls/testing/listedUsers';
import { judgeDeviceClaim, type DeviceClaimLists } from './deviceClaims';

/**
 * docs/protocol.md §13.6: a KeyPackage or GroupInfo request names a device;
 * this device goes on only when the person's list, as held here, has that
 * device active. One violating vector per rule.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The lists a device holds: each person's first `count` entries (all by default). */
function held(...people: (ListedPerson | [ListedPerson, number])[]): DeviceClaimLists {
  const states = new Map<string, DeviceListState>();
  for (const p of people) {
    const [person, count] = Array.isArray(p) ? p : [p, p.list.entries.length];
    const v = verifyDeviceList(person.list.bytes().slice(0, count));
    if (!v.ok) throw new Error(v.reason);
    states.set(hex(person.identityKey), v.state);
  }
  return {
    headOf: (ik) => states.get(hex(ik))?.head ?? null,
    allDevices: (ik) => states.get(hex(ik))?.devices ?? [],
    claimant: (peerId, key) => {
      for (const [ik, s] of states)
        if (s.devices.some((d) => d.peerId === peerId || hex(d.mlsSignatureKey) === hex(key)))
          return Buffer.from(ik, 'hex');
      return null;
    },
  };
}

function credentialOf(d: ListedDevice): AnyDeviceCredential {
  const c = decodeAnyDeviceCredential(d.device.credential);
  if (!c) throw new Error('no credential');
  return c;
}

/** A version 2 credential with some field changed (what a hostile device would hand out). */
function forged(d: ListedDevice, change: Partial<{ addedSeq: number; signatureKey: Uint8Array }>) {
  const c = credentialOf(d);
  if (c.version !== 2) throw new Error('not version 2');
  const bytes = encodeListedDeviceCredential({ ...c, ...change });
  return decodeAnyDeviceCredential(bytes) as AnyDeviceCredential;
}

describe('judgeDeviceClaim (§13.6: devices judged against the held lists)', () => {
  it('accepts a linked device active in its list, and device 0 by its identity key', () => {
    const ann = new ListedPerson('ann');
    const laptop = ann.link();
    const lists = held(ann);
    expect(judgeDeviceClaim(lists, credentialOf(laptop))).toEqual({ ok: true });
    expect(judgeDeviceClaim(lists, credentialOf(ann.devices[0] as ListedDevice))).toEqual({ ok: true });
  });

  it('a linked device whose entry is not held yet is missing (fetch, then judge), not refused', () => {
    const ann = new ListedPerson('ann');
    const laptop = ann.link();
    const verdict = judgeDeviceClaim(held([ann, 1]), credentialOf(laptop));
    expect(verdict).toMatchObject({ ok: false, missing: { seq: laptop.addedSeq } });
    expect(judgeDeviceClaim(held(), credentialOf(laptop))).toMatchObject({ ok: false, missing: {} });
  });

  it('refuses a device that was removed from its list (version 2 and version 1)', () => {
    const ann = new ListedPerson('ann');
    const first = ann.devices[0] as ListedDevice;
    const laptop = ann.link();
    const phone = ann.link();
    ann.unlist(phone, laptop);
    ann.unlist(phone, first);
    const lists = held(ann);
    expect(judgeDeviceClaim(lists, credentialOf(laptop))).toMatchObject({ ok: false, reason: /removed/ });
    expect(judgeDeviceClaim(lists, credentialOf(first))).toMatchObject({ ok: false, reason: /removed/ });
    expect(judgeDeviceClaim(lists, credentialOf(phone))).toEqual({ ok: true });
  });

  it("refuses a forged seq: the entry there adds another of the person's devices", () => {
    const ann = new ListedPerson('ann');
    const laptop = ann.link();
    ann.link();
    const verdict = judgeDeviceClaim(held(ann), forged(laptop, { addedSeq: laptop.addedSeq + 1 }));
    expect(verdict).toMatchObject({ ok: false, reason: /another device/ });
  });

  it('refuses a wrong signature key (not the key the entry lists)', () => {
    const ann = new ListedPerson('ann');
    const laptop = ann.link();
    const other = ann.link();
    const verdict = judgeDeviceClaim(
      held(ann),
      forged(laptop, { signatureKey: other.device.signaturePublicKey }),
    );
    expect(verdict.ok).toBe(false);
  });

  it("refuses a device claimed by someone else's chain (§13.3 rule 5)", () => {
    const ann = new ListedPerson('ann');
    const carol = new ListedPerson('carol');
    const carolsLaptop = carol.link();
    // Ann's device hands out a credential naming Carol's device under Ann's identity key.
    const c = credentialOf(carolsLaptop);
    if (c.version !== 2) throw new Error('not version 2');
    const claim = decodeAnyDeviceCredential(
      encodeListedDeviceCredential({ ...c, identityKey: ann.identityKey }),
    ) as AnyDeviceCredential;
    expect(judgeDeviceClaim(held(ann, carol), claim)).toMatchObject({ ok: false, reason: /someone else/ });
  });

  it('version 1: a bad identity-key signature, or a listed PeerId with another key, is refused', () => {
    const ann = new ListedPerson('ann');
    const first = ann.devices[0] as ListedDevice;
    const c = credentialOf(first);
    if (c.version !== 1) throw new Error('not version 1');
    const badSig = { ...c, certificate: new Uint8Array(64) };
    expect(judgeDeviceClaim(held(), badSig)).toMatchObject({ ok: false, reason: /did not sign/ });
    // Bob (no list held for Ann): version 1 stands on the signature alone (older versions).
    expect(judgeDeviceClaim(held(), c)).toEqual({ ok: true });
    const laptop = ann.link();
    const otherKey = { ...c, signatureKey: laptop.device.signaturePublicKey };
    expect(judgeDeviceClaim(held(ann), otherKey).ok).toBe(false);
  });

  it('version 1 for a PeerId the list does not name is accepted (restore as replace, §13.9: the written deviation)', () => {
    const ann = new ListedPerson('ann');
    const fresh = makeTestDevice();
    // What a replace-restore makes today: the identity key signs a new PeerId and MLS key.
    const restored = certifyDevice(
      ann.list.identity.privateKey,
      ann.identityKey,
      fresh.peerId,
      fresh.mlsSignatureKey,
    );
    expect(judgeDeviceClaim(held(ann), { version: 1, ...restored })).toEqual({ ok: true });
    // The same with the MLS key of a listed device is a copy of that device: refused.
    const copy = certifyDevice(
      ann.list.identity.privateKey,
      ann.identityKey,
      fresh.peerId,
      (ann.devices[0] as ListedDevice).device.signaturePublicKey,
    );
    expect(judgeDeviceClaim(held(ann), { version: 1, ...copy }).ok).toBe(false);
  });
});
