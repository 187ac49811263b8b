import { describe, expect, it } from 'vitest';
import { linkNewDevice } from '../runtime/testing/linkedPeer';
import { type MessagingPeer, peerPool, until } from '../runtime/testing/messagingPeer';

/**
 * A device linked by the real link protocol (no identity private key,
 * docs/protocol.md §13.2) on 127.0.0.1: its profile edit reaches a contact
 * as a version 2 card and Ada's first device adopts it (§13.6, "Profile
 * cards, version 2"); its invite answer to a new person proves it by the
 * list that person fetches from it (§13.6, "Outside groups").
 */

const make = peerPool();

function contactRow(of: MessagingPeer, who: MessagingPeer) {
  return of.t.db
    .prepare('SELECT status_text, profile_version FROM contacts WHERE identity_key = ?')
    .get(who.identity.publicKey) as { status_text: string | null; profile_version: number } | undefined;
}

describe('a linked device outside groups and in profile cards', () => {
  it('signs the profile for everyone and makes a new contact on its own', async () => {
    const ada = make('Ada');
    const bob = make('Bob');
    await ada.online();
    await bob.online();
    await bob.running().service.acceptInvite(ada.running().service.createInvite());
    await until(() => ada.dmWith(bob) !== null && bob.dmWith(ada) !== null, 20_000, 'DM');
    const laptop = await linkNewDevice(ada, make, 'Ada (laptop)');
    await laptop.online();
    await until(() => laptop.dmWith(bob) !== null, 30_000, 'the laptop in the DM with Bob');

    await laptop.running().network.updateProfile({ statusText: 'from the laptop' });
    await until(() => contactRow(bob, ada)?.status_text === 'from the laptop', 30_000, 'Bob takes the card');
    await until(
      () => ada.running().network.profile().statusText === 'from the laptop',
      30_000,
      'Ada’s first device adopts it',
    );

    const carol = make('Carol');
    await carol.online();
    const { contactId } = await laptop.running().service.acceptInvite(carol.running().service.createInvite());
    expect(contactId).toBeGreaterThan(0);
    await until(() => carol.contactId(ada) !== null, 20_000, 'Carol has Ada as a contact');
    const listed = carol
      .running()
      .devices.activeDevices(ada.identity.publicKey)
      .map((d) => d.peerId);
    expect(listed).toContain(laptop.running().node.peerId);
    expect(listed).toContain(ada.running().node.peerId);
  }, 120_000);
});
