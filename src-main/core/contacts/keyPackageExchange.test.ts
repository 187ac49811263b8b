import { describe, expect, it } from 'vitest';
import { verifyDeviceList, type DeviceListState } from '../identity/deviceListVerify';
import type { KeyPackagePool } from '../mls';
import { generateKeyPackage } from '../mls/keyPackages';
import { DEFAULT_SUITE } from '../mls/suites';
import { ListedPerson, type ListedDevice } from '../mls/testing/listedUsers';
import { silentLogger } from '../util/logger';
import type { ParleyError } from '../errors';
import { KeyPackageExchange } from './keyPackageExchange';

/**
 * docs/protocol.md §13.6: a KeyPackage fetched from a contact's device goes
 * into a group only when its credential names that device and the device is
 * active in its person's list as this device holds it; entries it lacks are
 * fetched from the device first. One hostile vector per rule.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What Bob's device holds: each person's list up to `counts` entries, and who is who by `devices` rows. */
class BobsView {
  readonly states = new Map<string, DeviceListState>();
  readonly rows = new Map<string, Uint8Array>();
  fetches = 0;

  hold(person: ListedPerson, count = person.list.entries.length): this {
    const v = verifyDeviceList(person.list.bytes().slice(0, count));
    if (!v.ok) throw new Error(v.reason);
    this.states.set(hex(person.identityKey), v.state);
    return this;
  }

  lists = {
    headOf: (ik: Uint8Array) => this.states.get(hex(ik))?.head ?? null,
    allDevices: (ik: Uint8Array) => this.states.get(hex(ik))?.devices ?? [],
    claimant: (peerId: string, key: Uint8Array) => {
      for (const [ik, s] of this.states)
        if (s.devices.some((d) => d.peerId === peerId || hex(d.mlsSignatureKey) === hex(key)))
          return Buffer.from(ik, 'hex');
      return null;
    },
    personOf: (peerId: string) => {
      for (const [ik, s] of this.states)
        if (s.devices.some((d) => d.peerId === peerId)) return Buffer.from(ik, 'hex');
      return null;
    },
  };

  exchange(served: Uint8Array, onFetch?: () => void): KeyPackageExchange {
    return new KeyPackageExchange({
      pool: {} as KeyPackagePool,
      net: { services: { keyPackages: { fetch: async () => served } as never } },
      directory: {
        isKnown: (p) => this.rows.has(p),
        device: (p) => {
          const ik = this.rows.get(p);
          return ik ? { peerId: p, identityKey: ik, addresses: [], sealPublicKey: null } : null;
        },
      },
      lists: this.lists,
      fetchDeviceEntries: async () => {
        this.fetches += 1;
        onFetch?.();
      },
      logger: silentLogger,
    });
  }
}

async function packageOf(d: ListedDevice): Promise<Uint8Array> {
  return (await generateKeyPackage(d.device, { suite: DEFAULT_SUITE, lastResort: false, now: Date.now() }))
    .keyPackage;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as ParleyError | null;
  if (!err) throw new Error('expected a refusal');
  return err.message;
}

describe('KeyPackageExchange.fetch judges packages against the device lists (§13.6)', () => {
  it("takes a linked device's package when its list has it active", async () => {
    const ann = new ListedPerson('ann');
    const phone = ann.link();
    const bob = new BobsView().hold(ann);
    const kp = await packageOf(phone);
    expect(await bob.exchange(kp).fetch(phone.device.peerId)).toBe(kp);
    expect(bob.fetches).toBe(0);
  });

  it('fetches the entries it lacks from the device, then judges (and refuses when they do not come)', async () => {
    const ann = new ListedPerson('ann');
    const phone = ann.link();
    const bob = new BobsView().hold(ann, 1);
    bob.rows.set(phone.device.peerId, ann.identityKey);
    const kp = await packageOf(phone);
    // The entries never come: refused, with words the user can act on.
    expect(await refusal(bob.exchange(kp).fetch(phone.device.peerId))).toMatch(/could not be checked/);
    // They come with the fetch: taken.
    const fetched = bob.exchange(kp, () => bob.hold(ann));
    expect(await fetched.fetch(phone.device.peerId)).toBe(kp);
    expect(bob.fetches).toBe(2);
  });

  it('refuses a removed device', async () => {
    const ann = new ListedPerson('ann');
    const phone = ann.link();
    ann.unlist(ann.devices[0] as ListedDevice, phone);
    const bob = new BobsView().hold(ann);
    bob.rows.set(phone.device.peerId, ann.identityKey);
    expect(await refusal(bob.exchange(await packageOf(phone)).fetch(phone.device.peerId))).toMatch(/removed/);
  });

  it("refuses another person's device handed out by a device we asked", async () => {
    const ann = new ListedPerson('ann');
    const carol = new ListedPerson('carol');
    const annsPhone = ann.link();
    const carolsPhone = carol.link();
    const bob = new BobsView().hold(ann).hold(carol);
    // Ann's phone hands out Carol's phone's package: not the device we asked.
    const kp = await packageOf(carolsPhone);
    expect(await refusal(bob.exchange(kp).fetch(annsPhone.device.peerId))).toMatch(/not its own/);
  });

  it("refuses a device claimed by someone else's chain under the asked person's name", async () => {
    const ann = new ListedPerson('ann');
    const carol = new ListedPerson('carol');
    const carolsPhone = carol.link();
    const bob = new BobsView().hold(ann).hold(carol);
    // Bob's devices row (wrongly) says Carol's phone is Ann's: the list decides.
    bob.rows.set(carolsPhone.device.peerId, ann.identityKey);
    expect(
      await refusal(bob.exchange(await packageOf(carolsPhone)).fetch(carolsPhone.device.peerId)),
    ).toMatch(/not its own/);
  });

  it('refuses a package of a device nobody told this device about', async () => {
    const ann = new ListedPerson('ann');
    const phone = ann.link();
    const bob = new BobsView();
    expect(await refusal(bob.exchange(await packageOf(phone)).fetch(phone.device.peerId))).toMatch(
      /not its own/,
    );
  });
});
