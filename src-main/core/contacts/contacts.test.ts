import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

const newPeer = peerPool();

async function online(name: string): Promise<MessagingPeer> {
  const p = newPeer(name);
  await p.online();
  return p;
}

describe('contacts', () => {
  it('an invite works once; a stranger without a token waits for the user to accept or decline', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const eve = await online('Eve');
    const invite = ada.running().service.createInvite();
    const { contactId } = await bob.running().service.acceptInvite(invite);
    expect(contactId).toBe(bob.contactId(ada));
    await until(() => ada.dmWith(bob) !== null);
    // Bob's profile told Ada where he listens: she can dial him after a restart.
    const bobPeer = bob.running().node.peerId;
    await until(() => (ada.running().directory.device(bobPeer)?.addresses.length ?? 0) > 0);
    await bob.offline();
    await ada.offline();
    await bob.online();
    await ada.online();
    await until(() => ada.running().node.isConnected(bobPeer));
    await ada.running().service.sendText(ada.dmWith(bob) ?? -1, 'back');
    await until(() => bob.messages(bob.dmWith(ada) ?? -1).some((m) => m.body === 'back'));

    // The same token again (Eve copied the link): refused.
    const reuse = await eve
      .running()
      .service.acceptInvite(invite)
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(isParleyError(reuse, 'INVALID_STATE')).toBe(true);
    expect(ada.contactId(eve)).toBeNull();

    // Without a token: a pending request; the stranger stays unknown until accepted.
    const adaPeer = ada.running().node.peerId;
    const evePeer = eve.running().node.peerId;
    await eve.running().node.connect(ada.running().node.addresses()[0] ?? '');
    const status = await eve.running().node.services.contactRequests.send(adaPeer, {
      displayName: 'Eve',
      identityKey: eve.identity.publicKey,
      message: 'hi, we met at the lab',
    });
    expect(status).toBe('received');
    const [request] = ada.running().service.requests.pending();
    expect(request).toMatchObject({ peerId: evePeer, displayName: 'Eve', message: 'hi, we met at the lab' });
    expect(ada.running().directory.isKnown(evePeer)).toBe(false);
    await ada.running().service.requests.accept(request?.id ?? -1);
    expect(ada.contactId(eve)).not.toBeNull();
    expect(ada.running().directory.isKnown(evePeer)).toBe(true);
    expect(ada.running().service.requests.pending()).toEqual([]);

    // Declined requests disappear from the list.
    await bob.running().node.connect(eve.running().node.addresses()[0] ?? '');
    await bob.running().node.services.contactRequests.send(evePeer, {
      displayName: 'Bob',
      identityKey: bob.identity.publicKey,
      message: '',
    });
    const [fromBob] = eve.running().service.requests.pending();
    eve.running().service.requests.decline(fromBob?.id ?? -1);
    expect(eve.running().service.requests.pending()).toEqual([]);
    expect(eve.contactId(bob)).toBeNull();
  });

  it('an expired invite is refused', async () => {
    const ada = await online('Ada');
    const bob = await online('Bob');
    const invite = ada.running().service.createInvite({ ttlMs: -1 });
    await expect(bob.running().service.acceptInvite(invite)).rejects.toThrow(/refused/);
    await expect(bob.running().service.acceptInvite('parley://invite/nonsense')).rejects.toThrow(
      /not a valid/,
    );
  });
});
