import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentityKey } from '../identity/identityKey';
import { isParleyError } from '../errors';
import { isNetError } from '../net/netError';
import { decodeInvite, encodeInvite, sealKeyHash } from '../contacts/invite';
import type { MessagingDeps } from '../runtime/messagingService';
import { signProfileCard } from '../contacts/profileCard';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';

/**
 * Issue #5 and #6 item 5 over real peers on 127.0.0.1: short invites, signed
 * profile cards, presence for contacts only, the nearby list and contact
 * requests that wait for consent. mDNS itself is not used here (see
 * net/mdns.test.ts, which runs only in a private network namespace): nearby
 * peers are handed to the nearby service as mDNS would.
 */

const peers: MessagingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.dispose();
});

async function online(name: string): Promise<MessagingPeer> {
  const p = makeMessagingPeer(name);
  peers.push(p);
  await p.online();
  return p;
}

const peerOf = (p: MessagingPeer): string => p.running().node.peerId;

async function befriend(a: MessagingPeer, b: MessagingPeer): Promise<void> {
  await b.running().service.acceptInvite(a.running().service.createInvite());
  await until(() => a.dmWith(b) !== null && b.dmWith(a) !== null, 20_000, 'DM');
}

function contactRow(of: MessagingPeer, who: MessagingPeer) {
  return of.t.db
    .prepare('SELECT display_name, status_text, avatar, profile_version FROM contacts WHERE identity_key = ?')
    .get(who.identity.publicKey) as
    | { display_name: string; status_text: string | null; avatar: Buffer | null; profile_version: number }
    | undefined;
}

const PNG = new Uint8Array(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(100, 5)]));

describe('short invites', () => {
  it('carry a hash of the seal key; the key arrives with the answer and is checked', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const link = ada.running().service.createInvite();
    expect(link.length).toBeLessThan(400);
    await bob.running().service.acceptInvite(link);
    const adaSeal = ada.t.db.prepare('SELECT seal_public FROM device_secrets').get() as {
      seal_public: Buffer;
    };
    expect(Buffer.from(bob.running().directory.sealPublicKey(peerOf(ada)) ?? [])).toEqual(
      adaSeal.seal_public,
    );
    await until(() => ada.dmWith(bob) !== null);
  });

  it('a tampered seal-key hash is refused and nothing is stored', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const invite = decodeInvite(ada.running().service.createInvite());
    if (!invite) throw new Error('no invite');
    const tampered = encodeInvite({ ...invite, sealKeyHash: sealKeyHash(new Uint8Array(1216)) });
    const err = await bob
      .running()
      .service.acceptInvite(tampered)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isParleyError(err, 'INVALID_PARAMS')).toBe(true);
    expect(bob.contactId(ada)).toBeNull();
    expect(bob.running().directory.device(peerOf(ada))).toBeNull();
  });
});

describe('profile cards', () => {
  it('an update reaches a contact, and not a stranger sharing a group', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const carol = await online('Carol');
    await befriend(ada, bob);
    await befriend(carol, bob);
    // Carol added Ada on her side (a request Ada never accepted): Ada does not know her.
    carol.store.contacts.upsert(ada.identity.publicKey, 'Ada', Date.now());
    carol.running().directory.upsertDevice({ peerId: peerOf(ada), identityKey: ada.identity.publicKey });
    // Both on one LAN (mDNS would have told them where the other listens).
    await ada.running().node.addAddresses(peerOf(carol), carol.running().node.addresses());
    await carol.running().node.addAddresses(peerOf(ada), ada.running().node.addresses());
    const groupId = await bob
      .running()
      .service.createGroup('trip', [bob.contactId(ada) ?? -1, bob.contactId(carol) ?? -1]);
    expect(groupId).toBeGreaterThan(0);
    await until(() => ada.groups().length === 1 && carol.groups().length === 1, 20_000, 'group joined');

    const card = await ada
      .running()
      .network.updateProfile({ displayName: 'Ada L.', statusText: 'Away', avatar: PNG });
    expect(card.version).toBeGreaterThan(1);
    expect(ada.running().network.profile()).toMatchObject({ displayName: 'Ada L.', statusText: 'Away' });

    await until(() => contactRow(bob, ada)?.status_text === 'Away', 20_000, 'status at Bob');
    expect(contactRow(bob, ada)).toMatchObject({ display_name: 'Ada L.', profile_version: card.version });
    expect(new Uint8Array(contactRow(bob, ada)?.avatar ?? [])).toEqual(PNG);

    // Carol sees the new name (it is in every profile, the group's too) but never the status or picture.
    await until(() => contactRow(carol, ada)?.display_name === 'Ada L.', 20_000, 'name at Carol');
    expect(contactRow(carol, ada)).toMatchObject({ status_text: null, avatar: null, profile_version: 0 });
  });

  it('a contact the user removed gets no more cards (the DM still gets the plain profile)', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    await befriend(ada, bob);
    const dm = ada.dmWith(bob) ?? -1;
    ada.store.contacts.setRemoved(ada.contactId(bob) ?? -1, Date.now());
    // Profiles leave through the groups' content sender (groups/profileAnnouncer.ts).
    const sender = ada.running().service.groups.content;
    const sent: { conversationId: number; card: boolean }[] = [];
    const original = sender.sendContent.bind(sender);
    sender.sendContent = (conversationId, content, row) => {
      if (content.type === 'profile') sent.push({ conversationId, card: content.card !== undefined });
      return original(conversationId, content, row);
    };
    await ada.running().network.updateProfile({ displayName: 'Ada L.', statusText: 'Away', avatar: PNG });
    await until(() => sent.some((s) => s.conversationId === dm), 20_000, 'profile sent into the DM');
    expect(sent.filter((s) => s.conversationId === dm)).toEqual([{ conversationId: dm, card: false }]);
  });

  it('a card with a bad signature or another user’s key is rejected and changes nothing', async () => {
    const bob = await online('Bob');
    const mallory = await online('Mallory');
    await befriend(bob, mallory);
    await until(() => contactRow(bob, mallory)?.profile_version === 1, 20_000, 'first card');
    const before = contactRow(bob, mallory);
    const dm = mallory.dmWith(bob) ?? -1;
    const marker = async (text: string): Promise<void> => {
      await mallory.running().service.sendText(dm, text);
      await until(() => bob.messages(bob.dmWith(mallory) ?? -1).some((m) => m.body === text), 20_000, text);
    };
    const deps = (mallory.running().service as unknown as { deps: MessagingDeps }).deps;
    const genuine = deps.profileCard;
    // The card Mallory holds now (version 1), kept for the replay below.
    const first = genuine?.();
    expect(first?.v1 && first.v2).toBeTruthy();
    const bank = generateIdentityKey();
    const base = { issuedAt: Date.now(), statusText: 'Send money', avatar: null };
    const asV1 = (v1: ReturnType<typeof signProfileCard>) => () => ({ fields: v1, v1, v2: null });
    // 1: signed by another identity key (not Mallory's, who is the MLS sender).
    deps.profileCard = asV1(
      signProfileCard(bank.privateKey, bank.publicKey, { ...base, version: 50, displayName: 'Bank' }),
    );
    await mallory.running().service.publishProfile();
    // 2: Mallory's own signature, but the fields were changed after signing.
    const own = signProfileCard(mallory.identity.privateKey, mallory.identity.publicKey, {
      ...base,
      version: 51,
      displayName: 'Mallory',
      statusText: 'fine',
    });
    deps.profileCard = asV1({ ...own, displayName: 'Bank', statusText: 'Send money' });
    await mallory.running().service.publishProfile();
    // Messages arrive in order: once this text is in, both cards above were processed.
    await marker('after the forged cards');
    expect(contactRow(bob, mallory)).toEqual(before);
    // 3: a good card is taken (an edit signed both ways, version 1 and 2).
    deps.profileCard = genuine;
    await mallory.running().network.updateProfile({ statusText: 'ok' });
    await until(() => contactRow(bob, mallory)?.status_text === 'ok', 20_000, 'good card');
    expect(contactRow(bob, mallory)).toMatchObject({ display_name: 'Mallory', profile_version: 2 });

    // 4: the older (replayed) cards, validly signed, change nothing either.
    deps.profileCard = () => first;
    await mallory.running().service.publishProfile();
    await marker('after the old card');
    expect(contactRow(bob, mallory)).toMatchObject({
      display_name: 'Mallory',
      status_text: 'ok',
      profile_version: 2,
    });
  });

  it('bad edits are refused with a clear message and keep the old profile', async () => {
    const ada = await online('Ada');
    const before = ada.running().network.profile();
    for (const patch of [
      { displayName: '   ' },
      { statusText: 'x'.repeat(141) },
      { avatar: new Uint8Array(Buffer.from('<svg/>')) },
      { avatar: new Uint8Array(70_000).fill(1) },
    ]) {
      const err = await ada
        .running()
        .network.updateProfile(patch)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isParleyError(err, 'INVALID_PARAMS')).toBe(true);
    }
    expect(ada.running().network.profile()).toEqual(before);
  });
});

describe('presence', () => {
  const presenceOf = (of: MessagingPeer, who: MessagingPeer) =>
    of
      .running()
      .network.presence.list()
      .find((p) => p.contactId === of.contactId(who));

  it('contacts see online, invisible as offline, and a coarse last-seen after leaving', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    await befriend(ada, bob);
    await until(() => presenceOf(bob, ada)?.online === true, 20_000, 'Ada online at Bob');

    await ada.running().network.setPrivacy({ invisible: true });
    await until(() => presenceOf(bob, ada)?.online === false, 20_000, 'Ada invisible');
    expect(bob.running().node.isConnected(peerOf(ada))).toBe(true);
    expect(presenceOf(bob, ada)?.lastSeen).toBe('just-now');
    // Invisible still sends and receives.
    await ada.running().service.sendText(ada.dmWith(bob) ?? -1, 'still here');
    await until(() => bob.messages(bob.dmWith(ada) ?? -1).some((m) => m.body === 'still here'));

    await ada.running().network.setPrivacy({ invisible: false });
    await until(() => presenceOf(bob, ada)?.online === true, 20_000, 'Ada visible again');

    await ada.offline();
    await until(() => presenceOf(bob, ada)?.online === false, 20_000, 'Ada gone');
    expect(presenceOf(bob, ada)?.lastSeen).toBe('just-now');
  });

  it('is never sent to a peer that is not a contact, even a co-member of a group', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const carol = await online('Carol');
    await befriend(ada, bob);
    await befriend(carol, bob);
    await bob.running().service.createGroup('g', [bob.contactId(ada) ?? -1, bob.contactId(carol) ?? -1]);
    await until(() => ada.groups().length === 1 && carol.groups().length === 1, 20_000, 'group');
    // Carol's node knows Ada's device (group member) and may reach it; presence is still refused.
    expect(ada.running().directory.isKnown(peerOf(carol))).toBe(true);
    const refusedBefore = ada.running().node.metrics().unknownPeerStreams.presence;
    await carol.running().node.addAddresses(peerOf(ada), ada.running().node.addresses());
    const err = await carol
      .running()
      .node.services.presence.exchange(peerOf(ada))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isNetError(err), String(err)).toBe(true);
    expect(ada.running().node.metrics().unknownPeerStreams.presence).toBeGreaterThan(refusedBefore);
  });
});

/**
 * These peers run without mDNS (multicast only inside a private namespace:
 * nearby.mdns.test.ts), so none is discoverable. For the nearby list below,
 * stand in for a running mDNS socket on the node.
 */
function pretendMdnsRuns(peer: MessagingPeer): void {
  const node = peer.running().node;
  Object.defineProperty(node, 'isDiscoverable', { get: () => node.isRunning });
}

describe('nearby and contact requests', () => {
  it('a node without mDNS answers nobody’s hello, whatever the setting says (issue #14 item 9)', async () => {
    const ada = await online('Ada');
    const eve = await online('Eve');
    expect(ada.running().network.privacy().discoverable).toBe(true);
    await eve.running().node.addAddresses(peerOf(ada), ada.running().node.addresses());
    const answer = await eve
      .running()
      .node.services.hello.ask(peerOf(ada))
      .then(
        (info) => info.displayName,
        (e: unknown) => e,
      );
    expect(isNetError(answer)).toBe(true);
  });

  it('lists only discoverable peers, by name; a request waits for consent and is rate-limited', async () => {
    const ada = await online('Ada');
    const dan = await online('Dan');
    const eve = await online('Eve');
    pretendMdnsRuns(ada);
    pretendMdnsRuns(dan);
    await dan.running().network.setPrivacy({ discoverable: false });
    const nearby = eve.running().network.nearby;
    for (const p of [ada, dan]) {
      await eve.running().node.addAddresses(peerOf(p), p.running().node.addresses());
      nearby.discovered(peerOf(p));
    }
    await until(() => nearby.list().length === 1, 20_000, 'nearby list');
    // Give Dan's refusal time to arrive too, then look again.
    await new Promise((r) => setTimeout(r, 300));
    expect(nearby.list()).toEqual([
      expect.objectContaining({ peerId: peerOf(ada), displayName: 'Ada', requested: false }),
    ]);

    await nearby.requestContact(peerOf(ada), 'hi, from the lab');
    const [pending] = ada.running().service.requests.pending();
    expect(pending).toMatchObject({ peerId: peerOf(eve), displayName: 'Eve', message: 'hi, from the lab' });
    // No consent yet: Ada does not know Eve, and Eve gets nothing but the request through.
    expect(ada.contactId(eve)).toBeNull();
    expect(ada.running().directory.isKnown(peerOf(eve))).toBe(false);
    const kp = await eve
      .running()
      .node.services.keyPackages.fetch(peerOf(ada))
      .then(
        () => 'served',
        (e: unknown) => e,
      );
    expect(isNetError(kp)).toBe(true);
    await expect(nearby.requestContact('12D3KooWnotnearby', '')).rejects.toThrow(/no longer nearby/);

    // A stranger gets 3 requests in a burst, then the door is shut for a while.
    const attempts: unknown[] = [];
    for (let n = 0; n < 4; n++) {
      attempts.push(
        await eve
          .running()
          .node.services.contactRequests.send(peerOf(ada), {
            displayName: 'Eve',
            identityKey: eve.identity.publicKey,
            message: `again ${n}`,
          })
          .catch((e: unknown) => e),
      );
    }
    expect(attempts.some((a) => isNetError(a))).toBe(true);
    expect(ada.running().node.metrics().rateLimited.contactRequest).toBeGreaterThan(0);

    // Consent: Ada accepts, and now the two can start a DM.
    await ada.running().service.requests.accept(pending?.id ?? -1);
    expect(ada.contactId(eve)).not.toBeNull();
    const dm = await ada.running().service.createDm(ada.contactId(eve) ?? -1);
    await until(() => eve.dmWith(ada) !== null, 20_000, 'DM at Eve');
    expect(dm).toBeGreaterThan(0);
  });

  it('relaying for contacts can be turned off for this whole device', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    await befriend(ada, bob);
    expect(ada.running().directory.holdsFor(peerOf(bob))).toBe(true);
    expect(ada.running().network.holdsForContacts()).toBe(true);
    const saved = await ada.running().network.setPrivacy({ relayForContacts: false });
    expect(saved).toEqual({ discoverable: true, invisible: false, relayForContacts: false });
    expect(ada.running().network.holdsForContacts()).toBe(false);
    // Persisted: the next start reads it back.
    await ada.offline();
    await ada.online();
    expect(ada.running().network.privacy().relayForContacts).toBe(false);
  });
});
