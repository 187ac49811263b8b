import { describe, expect, it } from 'vitest';
import { generateSealKeyPair } from '../crypto/sealedBox';
import { DeviceLists } from '../devices/deviceLists';
import { ownDevice } from '../devices/ownDevice';
import { linkTestDevice } from '../devices/testing/ownListHelpers';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import { proveListedDevice } from '../identity/listedDeviceProof';
import type { TestDevice } from '../identity/testing/deviceListFixture';
import { createDeviceIdentity } from '../mls';
import { generateDeviceKey, loadDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { type MessagingPeer, peerPool, until } from '../runtime/testing/messagingPeer';
import { ed25519SignerFromSeed } from '../util/ed25519';
import { silentLogger } from '../util/logger';

/**
 * "Outside groups" between real peers on 127.0.0.1 (docs/protocol.md §13.6):
 * a contact request, an invite answer and a hello from a device listed after
 * entry 0 carry its kind 2 certificate and its person's head; the receiver
 * judges the device against the person's list, fetched from the sender when
 * the identity is new to it, and keeps the list with the new contact.
 *
 * Ada's second device is listed by the test the way linking lists it (an add
 * entry signed by Ada's first device, with the new device's and its MLS key's
 * consent), and runs as a full peer with that list (runtime/testing: the same
 * keys in its own database). It shows the certificate its entry carries
 * (runtime/outsideGroupsWiring.ts `shownCertificate`).
 */

const make = peerPool();

async function online(name: string): Promise<MessagingPeer> {
  const p = make(name);
  await p.online();
  return p;
}

const peerOf = (p: MessagingPeer): string => p.running().node.peerId;

/** Ada's second device: listed in Ada's list by her first device, then started with that list. */
async function secondDevice(ada: MessagingPeer): Promise<MessagingPeer> {
  const laptop = make('Ada (laptop)');
  laptop.identity = { ...ada.identity, displayName: 'Ada' };
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  laptop.store.deviceSecrets.replace({
    deviceKey,
    sealSecret: seal.secretKey,
    sealPublic: seal.publicKey,
    now: 1,
  });
  const peerId = peerIdOfDeviceKey(deviceKey);
  const mls = createDeviceIdentity(ada.identity.privateKey, ada.identity.publicKey, peerId);
  laptop.store.mlsDevice.put({ ...mls, now: 1 });
  const raw = loadDeviceKey(deviceKey).raw;
  const device: TestDevice = {
    peerId,
    deviceKey: raw,
    sign: ed25519SignerFromSeed(raw),
    mlsSignatureKey: mls.signaturePublicKey,
    mlsSign: ed25519SignerFromSeed(mls.signaturePrivateKey),
  };
  const lists = ada.running().devices;
  linkTestDevice(lists, device);
  // The grant hands the new device its person's whole list (linking/grantImport.ts).
  new DeviceLists({
    repo: laptop.store.deviceLists,
    tx: laptop.store.tx,
    own: ownDevice({ identity: ada.identity, peerId, deviceKeyRaw: raw, mls }),
    knows: () => false,
    logger: silentLogger,
    now: Date.now,
  }).accept(ada.identity.publicKey, lists.encodingsAfter(ada.identity.publicKey, -1), null);
  await laptop.online();
  return laptop;
}

/** Stand in for a running mDNS socket (multicast runs only in a private namespace: nearby.mdns.test.ts). */
function pretendMdnsRuns(peer: MessagingPeer): void {
  const node = peer.running().node;
  Object.defineProperty(node, 'isDiscoverable', { get: () => node.isRunning });
}

async function introduce(from: MessagingPeer, to: MessagingPeer): Promise<void> {
  await from.running().node.addAddresses(peerOf(to), to.running().node.addresses());
}

const listedAt = (of: MessagingPeer, who: MessagingPeer): string[] =>
  of
    .running()
    .devices.activeDevices(who.identity.publicKey)
    .map((d) => d.peerId);

describe('outside groups: a device listed after entry 0 proves itself by its list', () => {
  it('its contact request to a new person is proven by the list fetched from it, kept with the contact', async () => {
    const ada = await online('Ada');
    const laptop = await secondDevice(ada);
    const carol = await online('Carol');
    pretendMdnsRuns(laptop);
    await introduce(carol, laptop);
    await introduce(laptop, carol);
    // Carol sees the laptop nearby (hello: kind 2 certificate and head, checked against the list it serves).
    carol.running().network.nearby.discovered(peerOf(laptop));
    await until(
      () =>
        carol
          .running()
          .network.nearby.list()
          .some((p) => p.peerId === peerOf(laptop)),
      20_000,
      'the laptop nearby',
    );
    // The laptop asks Carol; Carol has never seen Ada.
    pretendMdnsRuns(carol);
    laptop.running().network.nearby.discovered(peerOf(carol));
    await until(() => laptop.running().network.nearby.list().length === 1, 20_000, 'Carol nearby');
    await laptop.running().network.nearby.requestContact(peerOf(carol), 'hi from my laptop');
    const pending = carol.running().service.requests.pending();
    expect(pending).toMatchObject([{ peerId: peerOf(laptop), proven: true, contactId: null }]);
    const contactId = await carol.running().service.requests.accept(pending[0]?.id ?? -1);
    expect(carol.contactId(ada)).toBe(contactId);
    // Carol now holds Ada's list (both devices) and the laptop as Ada's device.
    expect(listedAt(carol, ada).sort()).toEqual([peerOf(ada), peerOf(laptop)].sort());
    expect(carol.running().directory.device(peerOf(laptop))?.identityKey).toEqual(
      new Uint8Array(ada.identity.publicKey),
    );
  });

  it('an invite made on the linked device names that device, and its answer proves it', async () => {
    const ada = await online('Ada');
    const laptop = await secondDevice(ada);
    const carol = await online('Carol');
    const invite = laptop.running().service.createInvite();
    const { contactId } = await carol.running().service.acceptInvite(invite);
    expect(carol.contactId(ada)).toBe(contactId);
    expect(carol.running().directory.device(peerOf(laptop))).not.toBeNull();
    expect(listedAt(carol, ada)).toContain(peerOf(laptop));
    // The token was the laptop's: Ada's first device holds no invite.
    expect(ada.t.db.prepare('SELECT COUNT(*) AS n FROM invites').get()).toEqual({ n: 0 });
    expect(laptop.t.db.prepare('SELECT COUNT(*) AS n FROM invites WHERE used_at IS NOT NULL').get()).toEqual({
      n: 1,
    });
  });

  it('a kind 1 certificate for a listed device other than entry 0 is refused, held list or fetched', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    await bob.running().service.acceptInvite(ada.running().service.createInvite());
    const laptop = await secondDevice(ada);
    await until(() => listedAt(bob, ada).length === 2, 20_000, "Bob holds Ada's list with the laptop");
    const carol = await online('Carol');
    // Signed by Ada's identity key for the laptop: genuine, but only entry 0 may show one.
    const kind1 = issueDeviceCertificate(
      ada.identity.privateKey,
      ada.identity.publicKey,
      peerOf(laptop),
      Date.now(),
    );
    const head = ada.running().devices.headOf(ada.identity.publicKey) ?? undefined;
    for (const to of [bob, carol]) {
      await introduce(laptop, to);
      laptop.running().network.nearby.discovered(peerOf(to));
      const status = await laptop.running().node.services.contactRequests.send(peerOf(to), {
        displayName: 'Ada',
        identityKey: ada.identity.publicKey,
        message: 'kind 1',
        deviceCertificate: kind1,
        ...(head ? { deviceListHead: head } : {}),
      });
      expect(status, to.name).toBe('rejected');
      expect(to.running().service.requests.pending(), to.name).toEqual([]);
    }
  });

  it("a listed device is a contact's new device; once removed, its request and hello are refused", async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    await bob.running().service.acceptInvite(ada.running().service.createInvite());
    await until(() => bob.contactId(ada) !== null, 20_000, 'Bob knows Ada');
    const laptop = await secondDevice(ada);
    await until(() => listedAt(bob, ada).length === 2, 20_000, "Bob holds Ada's list with the laptop");
    // Captured now: once the laptop learns its removal it wipes its keys and goes offline (§13.8).
    const node = laptop.running().node;
    const certificate = laptop
      .running()
      .devices.allDevices(ada.identity.publicKey)
      .find((d) => d.peerId === peerOf(laptop))?.certificate;
    const laptopPeer = peerOf(laptop);
    const request = () =>
      node.services.contactRequests.send(peerOf(bob), {
        displayName: 'Someone Else',
        identityKey: ada.identity.publicKey,
        message: 'my laptop',
        deviceCertificate: certificate,
      });
    await introduce(laptop, bob);
    // Listed and active: proven, shown as a new device of the contact Ada (not the name it claims).
    expect(await request()).toBe('received');
    const pending = bob.running().service.requests.pending();
    expect(pending).toMatchObject([{ peerId: laptopPeer, proven: true, contactId: bob.contactId(ada) }]);
    bob.running().service.requests.decline(pending[0]?.id ?? -1);
    pretendMdnsRuns(laptop);

    ada.running().devices.appendRemove(laptopPeer);
    await until(() => listedAt(bob, ada).length === 1, 20_000, 'Bob learns the removal');
    // Bob's own judgement of that device now, with the list he holds.
    const held = bob.running().devices.state(ada.identity.publicKey);
    expect(held && proveListedDevice(held, laptopPeer, certificate)).toEqual({
      ok: false,
      reason: 'removed',
    });
    // Its request (if it is still up to send one) is refused, and nothing waits for Bob.
    expect(await request().catch(() => 'unreachable')).not.toBe('received');
    expect(bob.running().service.requests.pending()).toEqual([]);
    // Its hello (if it still answers) does not put it on Bob's nearby list.
    await bob.running().node.addAddresses(laptopPeer, node.addresses());
    const nearby = bob.running().network.nearby;
    nearby.discovered(laptopPeer);
    const asking = (nearby as unknown as { asking: Set<string> }).asking;
    await until(() => asking.size === 0, 20_000, 'the hello answered and judged');
    expect(nearby.list()).toEqual([]);
  });
});
