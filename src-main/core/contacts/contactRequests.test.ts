import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import { generateIdentityKey } from '../identity/identityKey';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { isNetError } from '../net/netError';
import { Store } from '../store/store';
import { tempDatabase } from '../store/testing/tempDatabase';
import { deliveryMigrations } from '../delivery/schema';
import { silentLogger } from '../util/logger';
import { contactRequestViews } from '../handlers/contactRequestViews';
import { ContactRequests } from './contactRequests';
import { Directory } from './directory';
import { decodeInvite, encodeInvite } from './invite';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';

/**
 * Issue #14 item 2 (a contact request could claim a contact's identity key
 * with no proof) and item 4 (requests from strangers were kept forever).
 */

const make = peerPool();

async function online(name: string, identity?: MessagingPeer['identity']): Promise<MessagingPeer> {
  const p = make(name);
  if (identity) p.identity = { ...identity, displayName: name };
  await p.online();
  return p;
}

/** Ada and Carol are contacts (Carol accepted Ada's invite). */
async function adaAndCarol(): Promise<{ ada: MessagingPeer; carol: MessagingPeer }> {
  const ada = await online('Ada');
  const carol = await online('Carol');
  await carol.running().service.acceptInvite(ada.running().service.createInvite());
  await until(() => ada.contactId(carol) !== null, 20_000, 'Ada knows Carol');
  return { ada, carol };
}

describe('a contact request that claims a contact’s identity (the probe)', () => {
  it('is refused without a certificate: never listed, never bound, no KeyPackage', async () => {
    const { ada, carol } = await adaAndCarol();
    const mallory = await online('Mallory');
    const adaPeer = ada.running().node.peerId;
    await mallory.running().node.addAddresses(adaPeer, ada.running().node.addresses());
    const status = await mallory.running().node.services.contactRequests.send(adaPeer, {
      displayName: 'Carol',
      identityKey: carol.identity.publicKey,
      message: 'new phone, please re-add me',
    });
    expect(status).toBe('rejected');
    expect(ada.running().service.requests.pending()).toEqual([]);
    expect(ada.running().directory.isKnown(mallory.running().node.peerId)).toBe(false);
    const kp = await mallory
      .running()
      .node.services.keyPackages.fetch(adaPeer)
      .catch((e: unknown) => e);
    expect(isNetError(kp)).toBe(true);
  });

  it('is refused with a certificate that does not bind that device to that key', async () => {
    const { ada, carol } = await adaAndCarol();
    const mallory = await online('Mallory');
    const malloryPeer = mallory.running().node.peerId;
    const adaPeer = ada.running().node.peerId;
    await mallory.running().node.addAddresses(adaPeer, ada.running().node.addresses());
    const forgeries = [
      // Mallory's own identity key signs her device, but the request claims Carol's key.
      issueDeviceCertificate(
        mallory.identity.privateKey,
        mallory.identity.publicKey,
        malloryPeer,
        Date.now(),
      ),
      // Carol's real certificate, replayed: it names Carol's device, not Mallory's.
      issueDeviceCertificate(
        carol.identity.privateKey,
        carol.identity.publicKey,
        carol.running().node.peerId,
        Date.now(),
      ),
    ];
    for (const deviceCertificate of forgeries) {
      const status = await mallory.running().node.services.contactRequests.send(adaPeer, {
        displayName: 'Carol',
        identityKey: carol.identity.publicKey,
        message: 'it is me',
        deviceCertificate,
      });
      expect(status).toBe('rejected');
    }
    expect(ada.running().service.requests.pending()).toEqual([]);
  });

  it('a device Carol’s list does not name is refused, even with her identity key’s certificate (§13.6)', async () => {
    // Issue 14's rule ("a proven request for a contact is a new device of that
    // contact") gives way to the device list: Ada holds Carol's list, in which
    // only entry 0 may show a kind 1 certificate, so a second install made with
    // Carol's identity key is not Carol's device for Ada. A real new device of
    // Carol is linked into her list: outsideGroups.test.ts.
    const { ada, carol } = await adaAndCarol();
    const carolKey = carol.identity.publicKey;
    await until(() => ada.running().devices.headOf(carolKey) !== null, 20_000, "Carol's list at Ada");
    const laptop = await online('Carol (laptop)', carol.identity);
    const adaPeer = ada.running().node.peerId;
    await laptop.running().node.addAddresses(adaPeer, ada.running().node.addresses());
    const status = await laptop.running().node.services.contactRequests.send(adaPeer, {
      displayName: 'Totally Someone Else',
      identityKey: carolKey,
      message: 'my laptop',
      deviceCertificate: issueDeviceCertificate(
        carol.identity.privateKey,
        carolKey,
        laptop.running().node.peerId,
        Date.now(),
      ),
    });
    expect(status).toBe('rejected');
    expect(ada.running().service.requests.pending()).toEqual([]);
    expect(ada.running().directory.device(laptop.running().node.peerId)).toBeNull();
  });
});

describe('accepting an invite', () => {
  it('refuses one that names a contact’s identity key for a device that cannot prove it', async () => {
    const { ada, carol } = await adaAndCarol();
    const mallory = await online('Mallory');
    // Mallory hands Ada a link in Carol's name: Carol's identity key, Mallory's device.
    const own = decodeInvite(mallory.running().service.createInvite());
    if (!own) throw new Error('no invite');
    const forged = encodeInvite({ ...own, identityKey: carol.identity.publicKey, displayName: 'Carol' });
    const err = await ada
      .running()
      .service.acceptInvite(forged)
      .catch((e: unknown) => e);
    expect(isParleyError(err, 'INVALID_PARAMS')).toBe(true);
    expect((err as Error).message).toMatch(/cannot prove/);
    expect(ada.running().directory.device(mallory.running().node.peerId)).toBeNull();
  });
});

describe('ContactRequests rules (no network)', () => {
  async function setup(limits = { maxPending: 3, ttlMs: 10_000 }) {
    const t = tempDatabase(deliveryMigrations);
    const store = new Store(t.db, { attachmentsDir: `${t.dir}/attachments`, logger: silentLogger });
    const self = generateIdentityKey();
    const selfPeer = peerIdOfDeviceKey(await generateDeviceKey());
    const clock = { now: 1_000_000 };
    const directory = new Directory(store, selfPeer, () => clock.now);
    const requests = new ContactRequests({
      store,
      directory,
      net: { keepConnected: async () => undefined },
      identity: { publicKey: self.publicKey },
      deviceCertificate: issueDeviceCertificate(self.privateKey, self.publicKey, selfPeer, clock.now),
      sealPublicKey: new Uint8Array(1216),
      logger: silentLogger,
      now: () => clock.now,
      track: () => undefined,
      announce: async () => undefined,
      limits,
    });
    const someone = async (name: string, proven = true) => {
      const key = generateIdentityKey();
      const peer = peerIdOfDeviceKey(await generateDeviceKey());
      return {
        key,
        peer,
        request: {
          from: peer,
          displayName: name,
          identityKey: key.publicKey,
          message: `hi from ${name}`,
          ...(proven
            ? { deviceCertificate: issueDeviceCertificate(key.privateKey, key.publicKey, peer, 1) }
            : {}),
        },
      };
    };
    return {
      t,
      store,
      self,
      clock,
      requests,
      someone,
      dispose: () => {
        store.stop();
        t.dispose();
      },
    };
  }

  it('shows an unproven request from a new identity as a new person, flagged, and names a namesake', async () => {
    const s = await setup();
    try {
      s.store.contacts.upsert(generateIdentityKey().publicKey, 'Carol', 1);
      const stranger = await s.someone('Carol', false);
      expect(await s.requests.onRequest(stranger.request)).toMatchObject({ status: 'received' });
      const pending = s.requests.pending();
      expect(pending).toMatchObject([{ proven: false, contactId: null, displayName: 'Carol' }]);
      expect(contactRequestViews(s.store.contacts.list(), pending)).toMatchObject([
        { name: 'Carol', proven: false, contactId: null, sameNameAs: 'Carol' },
      ]);
    } finally {
      s.dispose();
    }
  });

  it('refuses an unproven claim of our own identity key', async () => {
    const s = await setup();
    try {
      const impostor = await s.someone('Me', false);
      const status = await s.requests.onRequest({ ...impostor.request, identityKey: s.self.publicKey });
      expect(status).toBe('rejected');
      expect(s.requests.pending()).toEqual([]);
    } finally {
      s.dispose();
    }
  });

  it('refuses a blocked contact’s new device even with a valid certificate', async () => {
    const s = await setup();
    try {
      const blockedOne = await s.someone('Blocked');
      const id = s.store.contacts.upsert(Buffer.from(blockedOne.key.publicKey), 'Blocked', 1);
      s.store.contacts.setBlocked(id, true);
      expect(await s.requests.onRequest(blockedOne.request)).toBe('rejected');
      expect(s.requests.pending()).toEqual([]);
    } finally {
      s.dispose();
    }
  });

  it('keeps at most maxPending, dropping the oldest, and expires pending and answered ones (item 4)', async () => {
    const s = await setup({ maxPending: 3, ttlMs: 10_000 });
    try {
      const people = [];
      for (const name of ['A', 'B', 'C', 'D', 'E']) {
        const p = await s.someone(name);
        people.push(p);
        await s.requests.onRequest(p.request);
        s.clock.now += 100;
      }
      expect(s.requests.pending().map((r) => r.displayName)).toEqual(['C', 'D', 'E']);
      const [c] = s.requests.pending();
      s.requests.decline(c?.id ?? -1);
      // A declined device asking again stays quiet while the answer is remembered.
      const again = people[2];
      if (again) await s.requests.onRequest(again.request);
      expect(s.requests.pending().map((r) => r.displayName)).toEqual(['D', 'E']);
      s.clock.now += 10_001;
      expect(s.requests.pending()).toEqual([]);
      const left = s.t.db.prepare('SELECT count(*) AS n FROM contact_requests').get() as { n: number };
      expect(left.n).toBe(0);
    } finally {
      s.dispose();
    }
  });
});
