import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import { ContactsPresenter } from '../handlers/contactsPresenter';
import { ContactsService } from './contactsService';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

/**
 * Contacts between real peers over 127.0.0.1 (issue #4): blocking at the
 * node, and a known device presenting another identity key (a hostile
 * impersonation with the same PeerId) never taking over the contact.
 */

const make = peerPool();

async function online(name: string): Promise<MessagingPeer> {
  const p = make(name);
  await p.online();
  return p;
}

/** The contacts handlers' answers: the service through its presenter. */
function contactsOf(p: MessagingPeer): ContactsPresenter {
  return new ContactsPresenter(
    new ContactsService({
      contacts: p.store.contacts,
      devices: p.store.devices,
      conversations: p.store.conversations,
      tx: p.store.tx,
      selfIdentityKey: () => p.identity.publicKey,
      now: Date.now,
    }),
    p.store,
  );
}

/** Ada and Bob are contacts with a DM, both sides joined. */
async function pair(): Promise<{ ada: MessagingPeer; bob: MessagingPeer; adaDm: number; bobDm: number }> {
  const ada = await online('Ada');
  const bob = await online('Bob');
  const { conversationId } = await bob.running().service.acceptInvite(ada.running().service.createInvite());
  await until(() => ada.dmWith(bob) !== null, 20_000, 'Ada joins the DM');
  return { ada, bob, adaDm: ada.dmWith(bob) ?? -1, bobDm: conversationId };
}

function outboxAttempts(p: MessagingPeer, conversationId: number): number {
  const r = p.t.db
    .prepare(`SELECT max(attempts) AS a FROM outbox WHERE conversation_id = ? AND state = 'pending'`)
    .get(conversationId) as { a: number | null };
  return r.a ?? 0;
}

describe('blocking between peers', () => {
  it("drops a blocked contact's messages at the node, refuses sending to them; unblocking delivers what waited", async () => {
    const { ada, bob, adaDm, bobDm } = await pair();
    const adaContacts = contactsOf(ada);
    const bobId = ada.contactId(bob) ?? -1;
    adaContacts.block(bobId, true);

    await bob.running().service.sendText(bobDm, 'are you there?');
    // Bob's device keeps trying and is refused each time; nothing reaches Ada.
    await until(() => outboxAttempts(bob, bobDm) >= 2, 20_000, 'two refused attempts');
    expect(ada.messages(adaDm).map((m) => m.body)).not.toContain('are you there?');

    const err = await ada
      .running()
      .service.sendText(adaDm, 'hello?')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
    expect((err as Error).message).toMatch(/You blocked Bob/);

    adaContacts.block(bobId, false);
    await until(
      () => ada.messages(adaDm).some((m) => m.body === 'are you there?'),
      20_000,
      'the held message after unblocking',
    );
    await ada.running().service.sendText(adaDm, 'yes');
    await until(() => bob.messages(bobDm).some((m) => m.body === 'yes'), 20_000, 'the reply');
  });
});

/** Mallory: Bob's device key (a stolen laptop, a cloned profile) under her own identity key; Bob offline. */
async function impostorOf(bob: MessagingPeer): Promise<MessagingPeer> {
  const bobPeer = bob.running().node.peerId;
  await bob.offline();
  const mallory = make('Mallory');
  const secrets = bob.t.db.prepare('SELECT * FROM device_secrets WHERE id = 1').get() as Record<
    string,
    unknown
  >;
  mallory.t.db
    .prepare(
      `INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at)
       VALUES (@id, @device_key, @seal_secret, @seal_public, @created_at)`,
    )
    .run(secrets);
  await mallory.online();
  expect(mallory.running().node.peerId).toBe(bobPeer);
  return mallory;
}

describe('key change: a known PeerId with another identity key', () => {
  it("accepting an impostor's invite fails and shows the key change on the contact it claims", async () => {
    const { ada, bob } = await pair();
    const bobKey = Buffer.from(bob.identity.publicKey).toString('hex');
    const mallory = await impostorOf(bob);
    const invite = mallory.running().service.createInvite();
    await expect(ada.running().service.acceptInvite(invite)).rejects.toThrow();
    const adaContacts = contactsOf(ada);
    const bobId = ada.contactId(bob) ?? -1;
    await until(() => adaContacts.profile(bobId).keyChanged, 5_000, 'the key change');
    expect(adaContacts.profile(bobId).identityKey).toBe(bobKey);
    expect(ada.contactId(mallory)).toBeNull();
  });

  it('an impostor with the same PeerId never takes over: recorded as a pending change; only the user accepts it', async () => {
    const { ada, bob, adaDm } = await pair();
    const bobPeer = bob.running().node.peerId;
    const bobKey = Buffer.from(bob.identity.publicKey).toString('hex');
    await bob.offline();

    // Mallory has Bob's device key (a stolen laptop, a cloned profile) but her own identity key.
    const mallory = make('Mallory');
    const secrets = bob.t.db.prepare('SELECT * FROM device_secrets WHERE id = 1').get() as Record<
      string,
      unknown
    >;
    mallory.t.db
      .prepare(
        `INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at)
         VALUES (@id, @device_key, @seal_secret, @seal_public, @created_at)`,
      )
      .run(secrets);
    await mallory.online();
    expect(mallory.running().node.peerId).toBe(bobPeer);
    const malloryKey = Buffer.from(mallory.identity.publicKey).toString('hex');
    const adaPeer = ada.running().node.peerId;
    await mallory.running().node.connect(ada.running().node.addresses()[0] ?? '');

    // 1. A contact request claiming Bob's device for Mallory's key, proven by Mallory's
    // identity key (she holds both keys): refused, recorded for Ada to review.
    // (Unproven claims are not even recorded: contactRequests.test.ts.)
    const status = await mallory.running().node.services.contactRequests.send(adaPeer, {
      displayName: 'Bob',
      identityKey: mallory.identity.publicKey,
      message: 'new phone, same me',
      deviceCertificate: issueDeviceCertificate(
        mallory.identity.privateKey,
        mallory.identity.publicKey,
        bobPeer,
        Date.now(),
      ),
    });
    expect(status).toBe('rejected');
    const adaContacts = contactsOf(ada);
    const bobId = ada.contactId(bob) ?? -1;
    const profile = adaContacts.profile(bobId);
    expect(profile).toMatchObject({
      identityKey: bobKey,
      keyChanged: true,
      pendingKeyChange: { identityKey: malloryKey },
    });
    expect(ada.running().service.requests.pending()).toEqual([]);
    expect(ada.contactId(mallory)).toBeNull();
    expect(Buffer.from(ada.running().directory.device(bobPeer)?.identityKey ?? []).toString('hex')).toBe(
      bobKey,
    );
    adaContacts.keyChange(bobId, false);

    // 2. An invite from Ada presented by Mallory under her key: refused, recorded again, nothing added.
    const invite = ada.running().service.createInvite();
    await expect(mallory.running().service.acceptInvite(invite)).rejects.toThrow();
    await until(() => adaContacts.profile(bobId).keyChanged, 5_000, 'the key change after the invite');
    expect(ada.contactId(mallory)).toBeNull();
    expect(ada.groups()).toEqual([]);

    // 3. An MLS Welcome whose credential binds Bob's PeerId to Mallory's key: not joined.
    adaContacts.keyChange(bobId, false);
    const adaAtMallory = mallory.store.contacts.upsert(
      Buffer.from(ada.identity.publicKey),
      'Ada',
      Date.now(),
    );
    mallory.running().directory.upsertDevice({
      peerId: adaPeer,
      identityKey: ada.identity.publicKey,
      addresses: ada.running().node.addresses(),
    });
    await mallory.running().service.createDm(adaAtMallory);
    await until(() => adaContacts.profile(bobId).keyChanged, 20_000, 'the key change from the Welcome');
    // Ada still has exactly one DM with Bob, under Bob's key, and nothing from Mallory in it.
    const dms = ada.t.db.prepare(`SELECT id FROM conversations WHERE kind = 'dm'`).all() as { id: number }[];
    expect(dms.map((d) => d.id)).toEqual([adaDm]);
    expect(adaContacts.profile(bobId).identityKey).toBe(bobKey);
    expect(ada.messages(adaDm).every((m) => Buffer.from(m.senderKey).toString('hex') !== malloryKey)).toBe(
      true,
    );

    // Only when Ada accepts does the contact move to the new key: same contact and DM, verification cleared.
    adaContacts.verify(bobId, false);
    const accepted = adaContacts.keyChange(bobId, true);
    expect(accepted).toMatchObject({
      id: bobId,
      identityKey: malloryKey,
      previousIdentityKey: bobKey,
      verified: false,
      keyChanged: false,
      dm: { conversationId: adaDm },
    });
    expect(Buffer.from(ada.running().directory.device(bobPeer)?.identityKey ?? []).toString('hex')).toBe(
      malloryKey,
    );
  });
});
