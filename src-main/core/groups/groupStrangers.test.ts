import { afterEach, describe, expect, it } from 'vitest';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { messageViews } from '../handlers/messagePresenter';

/**
 * A group whose members are not all each other's contacts: Ada invites Bob
 * and Cy, who have never met. Found by the three-peer e2e spec: Bob's group
 * messages never reached Cy, because nothing told Bob how to reach Cy's
 * device (no address, no seal key) and Cy's own profile needed that very
 * route. Members' profiles now carry hints about the others
 * (ProfileContent.peers).
 */

const peers: MessagingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.dispose();
});

function peer(name: string): MessagingPeer {
  const p = makeMessagingPeer(name);
  peers.push(p);
  return p;
}

const bodies = (p: MessagingPeer, conversationId: number): string[] =>
  p.messages(conversationId).map((m) => m.body ?? '');

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

describe('a group of people who are not all contacts', () => {
  it("members who never met reach each other through the creator's hints", async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    const c = peer('Cy');
    await Promise.all([a.online(), b.online(), c.online()]);
    for (const p of [a, b, c]) {
      p.t.db
        .prepare(
          `INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at)
           VALUES (1, ?, ?, ?, 0)`,
        )
        .run(p.name, Buffer.from(p.identity.publicKey), Buffer.from(p.identity.privateKey));
    }
    await befriend(a, b);
    await befriend(a, c);
    expect(b.contactId(c)).toBeNull();

    await a.running().service.createGroup('crew', [a.contactId(b) ?? -1, a.contactId(c) ?? -1]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'both join');
    const [gb = -1] = b.groups();
    const [gc = -1] = c.groups();

    await b.running().service.sendText(gb, 'hi from Bob');
    await until(() => bodies(c, gc).includes('hi from Bob'), 30_000, 'Bob → Cy');
    await c.running().service.sendText(gc, 'hi from Cy');
    await until(() => bodies(b, gb).includes('hi from Cy'), 30_000, 'Cy → Bob');
    // Cy's own profile reached Bob too: first-hand now, and it names her.
    expect(b.running().directory.sealPublicKey(c.running().node.peerId)).not.toBeNull();
    const fromCy = b.messages(gb).find((m) => m.body === 'hi from Cy');
    if (!fromCy) throw new Error('no message from Cy');
    expect(messageViews(b.store, [fromCy])[0]?.sender.name).toBe('Cy');
  }, 120_000);
});
