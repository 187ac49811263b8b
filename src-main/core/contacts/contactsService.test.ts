import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import { isParleyError } from '../errors';
import { generateIdentityKey } from '../identity/identityKey';
import { safetyNumber } from '../identity/safetyNumber';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { deliveryMigrations } from '../delivery/schema';
import { Store } from '../store/store';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { ContactsPresenter } from '../handlers/contactsPresenter';
import { assertDmWritable, ContactsService } from './contactsService';
import { Directory } from './directory';
import { messageViews } from '../handlers/messagePresenter';

/**
 * Contacts as the user handles them (issue #4), on a real encrypted database:
 * what the contact list, the profile and the node see after each action.
 */

let t: TempDatabase;
let store: Store;
let directory: Directory;
let service: ContactsPresenter;
let clock = 1_000;
const self = generateIdentityKey();
const SELF_PEER = 'self-peer';

async function newPeerId(): Promise<string> {
  return peerIdOfDeviceKey(await generateDeviceKey());
}

function thrown(f: () => unknown): unknown {
  try {
    f();
    return null;
  } catch (err) {
    return err;
  }
}

/** A contact with one device, as an accepted invite leaves it. */
async function addContact(name: string): Promise<{ id: number; key: Uint8Array; peer: string }> {
  const key = generateIdentityKey().publicKey;
  const peer = await newPeerId();
  const id = store.contacts.upsert(Buffer.from(key), name, clock);
  expect(
    directory.upsertDevice({ peerId: peer, identityKey: key, addresses: ['/ip4/127.0.0.1/tcp/1'] }),
  ).toBe(true);
  return { id, key, peer };
}

function dmWith(contactId: number): number {
  return store.conversations.create({
    kind: 'dm',
    contactId,
    groupId: null,
    ciphersuite: 1,
    createdAt: clock,
  });
}

beforeEach(() => {
  t = tempDatabase(deliveryMigrations);
  store = new Store(t.db, { attachmentsDir: join(t.dir, 'attachments'), logger: silentLogger });
  directory = new Directory(store, SELF_PEER, () => clock);
  // What the contacts handlers answer: the service's domain objects through the presenter.
  service = new ContactsPresenter(
    new ContactsService({
      contacts: store.contacts,
      devices: store.devices,
      conversations: store.conversations,
      tx: store.tx,
      selfIdentityKey: () => self.publicKey,
      now: () => clock,
    }),
    store,
  );
});
afterEach(() => t.dispose());

describe('contact profile, names, blocking and removal', () => {
  it('shows the profile with devices and the DM, and renames (null goes back to their own name)', async () => {
    const ann = await addContact('Ann');
    const dm = dmWith(ann.id);
    const p = service.profile(ann.id);
    expect(p).toMatchObject({
      name: 'Ann',
      displayName: 'Ann',
      localName: null,
      verified: false,
      blocked: false,
      keyChanged: false,
      devices: [{ peerId: ann.peer, addresses: ['/ip4/127.0.0.1/tcp/1'] }],
      dm: { conversationId: dm, readOnly: false },
    });
    expect(service.forConversation(dm)?.id).toBe(ann.id);
    expect(service.rename(ann.id, '  Annie ').name).toBe('Annie');
    expect(store.contacts.list().map((c) => c.localName)).toEqual(['Annie']);
    expect(service.rename(ann.id, null)).toMatchObject({ name: 'Ann', localName: null });
    expect(service.rename(ann.id, '   ').localName).toBeNull();
    expect(
      isParleyError(
        thrown(() => service.rename(999, 'x')),
        'INVALID_PARAMS',
      ),
    ).toBe(true);
  });

  it('blocking refuses their device at the node, stops relaying, makes the DM read-only; unblocking restores', async () => {
    const ann = await addContact('Ann');
    const dm = dmWith(ann.id);
    expect(directory.isHolder(ann.peer)).toBe(true);
    const blocked = service.block(ann.id, true);
    expect(blocked).toMatchObject({ blocked: true, dm: { conversationId: dm, readOnly: true } });
    expect(directory.isBlocked(ann.peer)).toBe(true);
    expect(directory.isHolder(ann.peer)).toBe(false);
    expect(directory.holdsFor(ann.peer)).toBe(false);
    expect(directory.ownRelays()).toEqual([]);
    const err = thrown(() => assertDmWritable(store.conversations, dm));
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
    expect((err as Error).message).toBe('You blocked Ann. Unblock them to send messages.');

    expect(service.block(ann.id, false)).toMatchObject({ blocked: false, dm: { readOnly: false } });
    expect(directory.isBlocked(ann.peer)).toBe(false);
    expect(directory.ownRelays()).toEqual([ann.peer]);
    expect(() => assertDmWritable(store.conversations, dm)).not.toThrow();
  });

  it('removing hides the contact, keeps the history, leaves the DM read-only; adding again restores', async () => {
    const ann = await addContact('Ann');
    const bob = await addContact('Bob');
    const dm = dmWith(ann.id);
    store.messages.insert({
      conversationId: dm,
      uid: 'u1',
      senderKey: Buffer.from(ann.key),
      outgoing: false,
      body: 'hello',
      replyToUid: null,
      sentAt: clock,
      receivedAt: clock,
      state: 'received',
    });
    service.remove(ann.id);
    expect(store.contacts.list().map((c) => c.displayName)).toEqual(['Bob']);
    expect(store.messages.page(dm, { latest: true }, 10).messages.map((m) => m.body)).toEqual(['hello']);
    expect(service.forConversation(dm)).toBeNull();
    expect(
      isParleyError(
        thrown(() => service.profile(ann.id)),
        'INVALID_PARAMS',
      ),
    ).toBe(true);
    expect(
      isParleyError(
        thrown(() => assertDmWritable(store.conversations, dm)),
        'INVALID_STATE',
      ),
    ).toBe(true);
    // No longer a relay or holder: only contacts are.
    expect(directory.ownRelays()).toEqual([bob.peer]);
    expect(directory.isHolder(ann.peer)).toBe(false);
    // A new invite or accepted request adds them again, with the same DM.
    store.contacts.upsert(Buffer.from(ann.key), 'Ann', clock);
    expect(service.profile(ann.id).dm).toEqual({ conversationId: dm, readOnly: false });
  });
});

describe('safety numbers and verification', () => {
  it('gives the 60 digits both sides see, verifies by comparing or by the QR code, and unverifies', async () => {
    const ann = await addContact('Ann');
    const n = service.safetyNumber(ann.id);
    expect(n.digits).toMatch(/^\d{60}$/);
    expect(n.groups).toHaveLength(12);
    expect(n.forNewKey).toBe(false);
    // Ann computes the same number from her side.
    expect(safetyNumber(ann.key, self.publicKey).digits).toBe(n.digits);

    expect(service.verify(ann.id, true).verified).toBe(true);
    expect(service.verify(ann.id, false).verified).toBe(false);

    // Her QR code (what she shows) matches ours.
    const hers = safetyNumber(ann.key, self.publicKey).qrData;
    expect(service.verify(ann.id, true, hers)).toMatchObject({ verified: true, verifiedAt: clock });
  });

  it('refuses a QR code of someone else with a clear mismatch error and changes nothing', async () => {
    const ann = await addContact('Ann');
    const mallory = generateIdentityKey().publicKey;
    const wrong = safetyNumber(mallory, self.publicKey).qrData;
    const err = thrown(() => service.verify(ann.id, true, wrong));
    expect(isParleyError(err, 'INVALID_PARAMS')).toBe(true);
    expect((err as Error).message).toMatch(/does not match your safety number with Ann/);
    expect(service.profile(ann.id).verified).toBe(false);
    const junk = thrown(() => service.verify(ann.id, true, 'https://example.com'));
    expect((junk as Error).message).toBe('That is not a Parley safety number code.');
  });
});

describe('key changes (trust on first use)', () => {
  it('a known device presenting another key is not rebound: the contact shows a pending change', async () => {
    const ann = await addContact('Ann');
    service.verify(ann.id, true);
    const impostor = generateIdentityKey().publicKey;
    clock = 2_000;
    expect(directory.upsertDevice({ peerId: ann.peer, identityKey: impostor })).toBe(false);
    // Nothing moved to the new key: the device still belongs to Ann's key, and there is no new contact.
    expect(Buffer.from(directory.device(ann.peer)?.identityKey ?? []).equals(Buffer.from(ann.key))).toBe(
      true,
    );
    expect(store.contacts.list()).toHaveLength(1);
    const p = service.profile(ann.id);
    expect(p).toMatchObject({
      keyChanged: true,
      verified: true,
      pendingKeyChange: { identityKey: Buffer.from(impostor).toString('hex'), at: 2_000 },
    });
    // The number to compare now is the new key's.
    const n = service.safetyNumber(ann.id);
    expect(n.forNewKey).toBe(true);
    expect(n.digits).toBe(safetyNumber(self.publicKey, impostor).digits);
  });

  it('is recorded even when the caller rolls its transaction back', async () => {
    const ann = await addContact('Ann');
    const impostor = generateIdentityKey().publicKey;
    expect(
      thrown(() =>
        t.db.transaction(() => {
          if (!directory.upsertDevice({ peerId: ann.peer, identityKey: impostor }))
            throw new Error('refused');
        })(),
      ),
    ).toBeInstanceOf(Error);
    await new Promise((r) => setImmediate(r));
    expect(service.profile(ann.id).keyChanged).toBe(true);
  });

  it('keeping the old key forgets the claim; accepting moves the contact, its DM and device to the new key', async () => {
    const ann = await addContact('Ann');
    const dm = dmWith(ann.id);
    service.verify(ann.id, true);
    const newKey = generateIdentityKey().publicKey;
    directory.checkIdentity(ann.peer, newKey);
    expect(service.keyChange(ann.id, false).keyChanged).toBe(false);
    expect(service.profile(ann.id).identityKey).toBe(Buffer.from(ann.key).toString('hex'));

    expect(directory.checkIdentity(ann.peer, newKey)).toBe('changed');
    clock = 3_000;
    const moved = service.keyChange(ann.id, true);
    expect(moved).toMatchObject({
      id: ann.id,
      name: 'Ann',
      identityKey: Buffer.from(newKey).toString('hex'),
      previousIdentityKey: Buffer.from(ann.key).toString('hex'),
      keyChangedAt: 3_000,
      keyChanged: false,
      verified: false,
      dm: { conversationId: dm },
    });
    expect(directory.checkIdentity(ann.peer, newKey)).toBe('same');
    expect(
      isParleyError(
        thrown(() => service.keyChange(ann.id, true)),
        'INVALID_STATE',
      ),
    ).toBe(true);
  });

  it('after accepting a key change, the contact’s earlier messages still show their name', async () => {
    const ann = await addContact('Ann');
    const dm = dmWith(ann.id);
    const before = store.messages.insert({
      conversationId: dm,
      uid: 'a'.repeat(32),
      senderKey: Buffer.from(ann.key),
      outgoing: false,
      body: 'hello',
      sentAt: clock,
      receivedAt: clock,
      state: 'received',
    });
    const newKey = generateIdentityKey().publicKey;
    directory.checkIdentity(ann.peer, newKey);
    service.keyChange(ann.id, true);
    const after = store.messages.insert({
      conversationId: dm,
      uid: 'b'.repeat(32),
      senderKey: Buffer.from(newKey),
      outgoing: false,
      body: 'hello again',
      sentAt: clock + 1,
      receivedAt: clock + 1,
      state: 'received',
    });
    const views = messageViews(
      store,
      [before.id, after.id].map((id) => {
        const m = store.messages.get(id);
        if (!m) throw new Error('message not stored');
        return m;
      }),
    );
    expect(views.map((v) => v.sender.name)).toEqual(['Ann', 'Ann']);
  });

  it('verifying the new number while a change waits accepts the new key as verified', async () => {
    const ann = await addContact('Ann');
    const newKey = generateIdentityKey().publicKey;
    directory.checkIdentity(ann.peer, newKey);
    const qr = safetyNumber(newKey, self.publicKey).qrData;
    // The old number's code no longer verifies.
    const old = safetyNumber(ann.key, self.publicKey).qrData;
    expect(
      isParleyError(
        thrown(() => service.verify(ann.id, true, old)),
        'INVALID_PARAMS',
      ),
    ).toBe(true);
    expect(service.verify(ann.id, true, qr)).toMatchObject({
      identityKey: Buffer.from(newKey).toString('hex'),
      verified: true,
      keyChanged: false,
    });
  });

  it('a device of someone who is not a contact records nothing', async () => {
    const peer = await newPeerId();
    directory.upsertDevice({ peerId: peer, identityKey: generateIdentityKey().publicKey });
    expect(directory.checkIdentity(peer, generateIdentityKey().publicKey)).toBe('changed');
    expect(store.contacts.listAll().filter((c) => c.pendingKeyChange)).toEqual([]);
  });
});

describe('export and import', () => {
  it('round-trips names, keys, devices, addresses, seal keys and flags, and counts what it did', async () => {
    const ann = await addContact('Ann');
    const bob = await addContact('Bob');
    const seal = Buffer.alloc(SEAL_PUBLIC_KEY_BYTES, 7);
    directory.upsertDevice({ peerId: ann.peer, identityKey: ann.key, sealPublicKey: seal });
    service.rename(ann.id, 'Annie');
    service.verify(ann.id, true);
    service.block(bob.id, true);
    const json = service.exportJson();
    const parsed = JSON.parse(json) as { format: string; version: number; contacts: unknown[] };
    expect(parsed).toMatchObject({ format: 'parley-contacts', version: 1 });
    expect(json).not.toMatch(/private|secret/i);

    // Another install imports it.
    const other = tempDatabase(deliveryMigrations);
    try {
      const otherStore = new Store(other.db, { attachmentsDir: join(other.dir, 'a'), logger: silentLogger });
      const otherService = new ContactsPresenter(
        new ContactsService({
          contacts: otherStore.contacts,
          devices: otherStore.devices,
          conversations: otherStore.conversations,
          tx: otherStore.tx,
          selfIdentityKey: () => self.publicKey,
          now: () => clock,
        }),
        otherStore,
      );
      expect(otherService.importJson(json)).toEqual({ added: 2, updated: 0, skipped: 0 });
      const [annThere, bobThere] = otherStore.contacts.list().map((c) => otherService.profile(c.id));
      expect(annThere).toMatchObject({ name: 'Annie', displayName: 'Ann', verified: true, blocked: false });
      expect(annThere?.devices).toEqual([{ peerId: ann.peer, addresses: ['/ip4/127.0.0.1/tcp/1'] }]);
      expect(bobThere).toMatchObject({ name: 'Bob', blocked: true });
      const otherDirectory = new Directory(otherStore, 'x');
      expect(otherDirectory.sealPublicKey(ann.peer)).toEqual(new Uint8Array(seal));
      // The same file again: nothing new.
      expect(otherService.importJson(json)).toEqual({ added: 0, updated: 0, skipped: 2 });
    } finally {
      other.dispose();
    }
  });

  it('updates known contacts, skips ourselves and devices bound to another identity', async () => {
    const ann = await addContact('Ann');
    const taken = await addContact('Taken');
    const newPeer = await newPeerId();
    const file = {
      format: 'parley-contacts',
      version: 1,
      contacts: [
        {
          displayName: 'Ann',
          localName: 'A.',
          identityKey: Buffer.from(ann.key).toString('hex'),
          devices: [{ peerId: newPeer, addresses: [] }],
        },
        { displayName: 'Me', identityKey: Buffer.from(self.publicKey).toString('hex') },
        {
          displayName: 'Mallory',
          identityKey: Buffer.from(generateIdentityKey().publicKey).toString('hex'),
          devices: [{ peerId: taken.peer }],
        },
      ],
    };
    expect(service.importJson(JSON.stringify(file))).toEqual({ added: 0, updated: 1, skipped: 2 });
    expect(service.profile(ann.id).localName).toBe('A.');
    expect(
      service
        .profile(ann.id)
        .devices.map((d) => d.peerId)
        .sort(),
    ).toEqual([ann.peer, newPeer].sort());
    // Taken's device was not taken over, and no key change is claimed by a file.
    expect(service.profile(taken.id)).toMatchObject({ keyChanged: false, devices: [{ peerId: taken.peer }] });
    expect(store.contacts.list().map((c) => c.displayName)).toEqual(['Ann', 'Taken']);
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    await addContact('Ann');
    const before = service.exportJson();
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[]', /not a valid Parley contacts export/],
      [
        JSON.stringify({ format: 'vcard', version: 1, contacts: [] }),
        /format is not a Parley contacts export/,
      ],
      [JSON.stringify({ format: 'parley-contacts', version: 2, contacts: [] }), /version 2/],
      [
        JSON.stringify({
          format: 'parley-contacts',
          version: 1,
          contacts: [
            { displayName: 'Ok', identityKey: 'ab'.repeat(32) },
            { displayName: 'Bad', identityKey: 'xyz' },
          ],
        }),
        /contacts\.1\.identityKey is not a 64-character hex identity key/,
      ],
      [
        JSON.stringify({
          format: 'parley-contacts',
          version: 1,
          contacts: [{ displayName: 'P', identityKey: 'ab'.repeat(32), devices: [{ peerId: 'nope' }] }],
        }),
        /peerId is not a libp2p PeerId/,
      ],
    ];
    for (const [text, message] of cases) {
      const err = thrown(() => service.importJson(text));
      expect(isParleyError(err, 'INVALID_PARAMS'), text).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    expect(JSON.parse(service.exportJson()).contacts).toEqual(JSON.parse(before).contacts);
  });
});
