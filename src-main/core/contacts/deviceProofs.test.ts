import { describe, expect, it } from 'vitest';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import { type DeviceListState, verifyDeviceList } from '../identity/deviceListVerify';
import { TestDeviceList } from '../identity/testing/deviceListFixture';
import type { DeviceListReply } from '../net/devicesProtocol';
import { silentLogger } from '../util/logger';
import { DeviceProofs } from './deviceProofs';

/**
 * The receiver's judgement of a device outside groups (docs/protocol.md
 * §13.6, "Outside groups"), one hostile vector per rule, with the list held
 * or served by fakes (outsideGroups.test.ts runs it between real peers).
 */

function stateOf(list: TestDeviceList): DeviceListState {
  const v = verifyDeviceList(list.bytes());
  if (!v.ok) throw new Error(v.reason);
  return v.state;
}

const certOf = (list: TestDeviceList, seq: number): Uint8Array => {
  const e = list.entries[seq];
  if (e?.op !== 'add') throw new Error('not an add');
  return e.certificate;
};

function proofs(options: {
  held?: DeviceListState | null;
  serve?: DeviceListReply | Error;
  claimed?: Map<string, Uint8Array>;
}) {
  const calls = { fetched: 0, served: 0 };
  const p = new DeviceProofs({
    lists: {
      state: () => options.held ?? null,
      accept: () => ({ status: 'unknown' }),
    },
    fetchEntries: async () => {
      calls.fetched += 1;
    },
    exchange: async () => {
      calls.served += 1;
      if (options.serve instanceof Error) throw options.serve;
      return options.serve ?? { status: 'refused', entries: [] };
    },
    claimedBy: (d) => options.claimed?.get(d.peerId),
    logger: silentLogger,
  });
  return { p, calls };
}

describe('device proofs outside groups', () => {
  it('a held list: an active device is proven without a round trip; a newer head is fetched first', async () => {
    const ada = new TestDeviceList();
    const laptop = ada.add();
    const { p, calls } = proofs({ held: stateOf(ada) });
    const claim = { from: laptop.peerId, identityKey: ada.identityKey, certificate: certOf(ada, 1) };
    expect(await p.check({ ...claim, head: ada.head })).toEqual({ status: 'proven', entries: null });
    expect(calls.fetched).toBe(0);
    expect(await p.check({ ...claim, head: { seq: 5, hash: new Uint8Array(32) } })).toEqual({
      status: 'proven',
      entries: null,
    });
    expect(calls.fetched).toBe(1);
  });

  it('a held list that does not name the device: fetched, still refused (no claim alone is taken)', async () => {
    const ada = new TestDeviceList();
    const stranger = new TestDeviceList();
    const { p, calls } = proofs({ held: stateOf(ada) });
    const verdict = await p.check({
      from: stranger.first.peerId,
      identityKey: ada.identityKey,
      certificate: issueDeviceCertificate(ada.identity.privateKey, ada.identityKey, stranger.first.peerId, 1),
    });
    expect(verdict).toEqual({ status: 'refused', reason: 'unlisted' });
    expect(calls.fetched).toBe(1);
  });

  it('no list and no head (an older build): issue 14’s identity-key certificate rule', async () => {
    const ada = new TestDeviceList();
    const { p, calls } = proofs({});
    const kind1 = issueDeviceCertificate(ada.identity.privateKey, ada.identityKey, ada.first.peerId, 1);
    expect(
      await p.check({ from: ada.first.peerId, identityKey: ada.identityKey, certificate: kind1 }),
    ).toEqual({
      status: 'proven',
      entries: null,
    });
    expect(await p.check({ from: ada.first.peerId, identityKey: ada.identityKey })).toEqual({
      status: 'unproven',
    });
    expect(calls.served).toBe(0);
  });

  it('a new person with a head: the list served by the sender proves it and is handed back to keep', async () => {
    const ada = new TestDeviceList();
    const laptop = ada.add();
    const { p } = proofs({ serve: { status: 'ok', entries: ada.bytes() } });
    const verdict = await p.check({
      from: laptop.peerId,
      identityKey: ada.identityKey,
      certificate: certOf(ada, 1),
      head: ada.head,
    });
    expect(verdict).toEqual({ status: 'proven', entries: ada.bytes() });
  });

  it('refuses a served list that stops short of the head, another version, or none at all', async () => {
    const ada = new TestDeviceList();
    const laptop = ada.add();
    const claim = { from: laptop.peerId, identityKey: ada.identityKey, certificate: certOf(ada, 1) };
    const short = proofs({ serve: { status: 'ok', entries: ada.bytes() } });
    expect(await short.p.check({ ...claim, head: { seq: 2, hash: new Uint8Array(32) } })).toEqual({
      status: 'refused',
      reason: 'head not in the list',
    });
    expect(await short.p.check({ ...claim, head: { seq: 1, hash: new Uint8Array(32).fill(1) } })).toEqual({
      status: 'refused',
      reason: 'head not in the list',
    });
    expect(await proofs({ serve: new Error('reset') }).p.check({ ...claim, head: ada.head })).toEqual({
      status: 'refused',
      reason: 'list not served',
    });
    expect(await proofs({}).p.check({ ...claim, head: ada.head })).toEqual({
      status: 'refused',
      reason: 'list refused',
    });
  });

  it("refuses a list of another person, and one claiming a device of someone else's chain (rule 5)", async () => {
    const ada = new TestDeviceList();
    const bob = new TestDeviceList();
    const bobsLaptop = bob.add();
    const asAda = proofs({ serve: { status: 'ok', entries: bob.bytes() } });
    expect(
      await asAda.p.check({
        from: bobsLaptop.peerId,
        identityKey: ada.identityKey,
        certificate: certOf(bob, 1),
        head: bob.head,
      }),
    ).toEqual({ status: 'refused', reason: 'list of another person' });
    const claimed = proofs({
      serve: { status: 'ok', entries: bob.bytes() },
      claimed: new Map([[bobsLaptop.peerId, ada.identityKey]]),
    });
    expect(
      await claimed.p.check({
        from: bobsLaptop.peerId,
        identityKey: bob.identityKey,
        certificate: certOf(bob, 1),
        head: bob.head,
      }),
    ).toEqual({ status: 'refused', reason: 'list rule 5' });
  });
});
