import { afterEach, describe, expect, it } from 'vitest';
import type { GroupOptions } from './groupOps';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';

/**
 * A member that missed a commit for good (its holders' copies expired while
 * it was away) holds every later message and can read none: after the stall
 * window it rejoins by external commit with a GroupInfo from a member
 * (issue #4: "a member too far behind rejoins by external commit").
 */

const peers: MessagingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.dispose();
});

function peer(name: string, groups: GroupOptions): MessagingPeer {
  const p = makeMessagingPeer(name, { groups });
  p.t.db
    .prepare(
      `INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at)
       VALUES (1, ?, ?, ?, 0)`,
    )
    .run(name, p.identity.publicKey, p.identity.privateKey);
  peers.push(p);
  return p;
}

const bodies = (p: MessagingPeer, id: number): string[] => p.messages(id).map((m) => m.body ?? '');

describe('a member whose commit never comes', () => {
  it('rejoins by external commit after the stall window and reads the group again', async () => {
    const opts: GroupOptions = { acceptMs: 200, tickMs: 100, stallMs: 1_500 };
    const a = peer('Ada', opts);
    const b = peer('Bob', opts);
    await Promise.all([a.online(), b.online()]);
    const invite = a.running().service.createInvite();
    await b.running().service.acceptInvite(invite);
    await until(() => a.dmWith(b) !== null, 20_000, 'contacts');

    const g = await a.running().service.createGroup('crew', [a.contactId(b) ?? -1]);
    await until(() => b.groups().length === 1, 20_000, 'Bob joins');
    const [gb = -1] = b.groups();
    await a.running().service.sendText(g, 'before');
    await until(() => bodies(b, gb).includes('before'), 20_000, 'before');

    // Bob is away; Ada renames the group (a commit) and the copies meant for
    // Bob are lost (as when a holder's TTL ran out).
    const bobPeer = b.running().node.peerId;
    await b.offline();
    await a.running().service.rename(g, 'crew 2');
    await until(
      () => a.running().service.groups.state(g)?.name === 'crew 2',
      20_000,
      'rename applied on Ada',
    );
    await new Promise((r) => setTimeout(r, 400)); // past the accept window
    a.t.db.prepare('DELETE FROM outbox WHERE recipient = ? AND message_id IS NULL').run(bobPeer);
    a.t.db.prepare('DELETE FROM mailbox WHERE recipient = ?').run(bobPeer);
    await a.running().service.sendText(g, 'while away');

    // Back: 'while away' is of an epoch Bob never reached; he rejoins and reads what follows.
    await b.online();
    // Messages of the epochs Bob skipped stay unreadable to him (he never had
    // their keys); from his rejoin on, both are on one epoch again.
    const auth = (p: MessagingPeer, id: number) =>
      Buffer.from(p.running().service.groups.state(id)?.epochAuthenticator ?? []).toString('hex');
    await until(
      () => auth(b, gb) !== '' && auth(a, g) === auth(b, gb),
      30_000,
      'Bob rejoined and Ada took his commit',
    );
    await a.running().service.sendText(g, 'welcome back');
    await until(() => bodies(b, gb).includes('welcome back'), 30_000, 'Bob reads the group again');
    await b.running().service.sendText(gb, 'thanks');
    await until(() => bodies(a, g).includes('thanks'), 30_000, 'Ada reads Bob');
    expect(b.running().service.groups.state(gb)?.name).toBe('crew 2');
  }, 120_000);
});
