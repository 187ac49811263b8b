import { afterEach, describe, expect, it } from 'vitest';
import { forgeRemoveCommit } from '../mls/testing/forge';
import type { MlsGroupState } from '../mls';
import type { GroupOptions } from './groupOps';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { encodeFrame } from './wireFrame';
import { systemText } from '../store/testing/systemText';

/**
 * Group changes after creation (issue #4 items 5–7) with real peers over
 * 127.0.0.1: every change goes through each member's GroupSequencer and the
 * outbox. Accept windows are 2.5 s here (60 s in the app) so tests do not wait.
 */

const ACCEPT_MS = 2_500;
const peers: MessagingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.dispose();
});

function peer(name: string): MessagingPeer {
  return makeTrackedPeer(name, { acceptMs: ACCEPT_MS, tickMs: 100 });
}

function makeTrackedPeer(name: string, groups: GroupOptions): MessagingPeer {
  const p = makeMessagingPeer(name, { groups });
  // The profile card (ownProfile.ts) reads the display name from the identity row.
  p.t.db
    .prepare(
      `INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at)
       VALUES (1, ?, ?, ?, 0)`,
    )
    .run(name, p.identity.publicKey, p.identity.privateKey);
  peers.push(p);
  return p;
}

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

const svc = (p: MessagingPeer) => p.running().service;
const peerOf = (p: MessagingPeer) => p.running().node.peerId;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const contact = (p: MessagingPeer, other: MessagingPeer): number => {
  const id = p.contactId(other);
  if (id === null) throw new Error(`${p.name} has no contact ${other.name}`);
  return id;
};
const groupOf = (p: MessagingPeer): number => p.groups()[0] ?? -1;
const state = (p: MessagingPeer, id: number): MlsGroupState => {
  const s = svc(p).groups.state(id);
  if (!s) throw new Error(`${p.name} has no group ${id}`);
  return s;
};
const accepted = (p: MessagingPeer, id: number) => svc(p).groups.sequencers.get(id)?.seq.accepted === true;
const texts = (p: MessagingPeer, id: number) =>
  p
    .messages(id)
    .filter((m) => m.kind !== 'system')
    .map((m) => m.body ?? '');
const system = (p: MessagingPeer, id: number) =>
  p
    .messages(id)
    .filter((m) => m.kind === 'system')
    .map((m) => systemText(m, p.identity.publicKey));
const conv = (p: MessagingPeer, id: number) =>
  p.t.db.prepare('SELECT name, left_at FROM conversations WHERE id = ?').get(id) as {
    name: string | null;
    left_at: number | null;
  };
const roleAt = (p: MessagingPeer, id: number, who: MessagingPeer) =>
  (
    p.t.db
      .prepare('SELECT role FROM members WHERE conversation_id = ? AND identity_key = ?')
      .get(id, who.identity.publicKey) as { role: string } | undefined
  )?.role ?? null;

/** Same epoch and epoch authenticator (RFC 9420 §8.7) at every member: no fork. */
function converged(members: [MessagingPeer, number][]): boolean {
  const states = members.map(([p, id]) => state(p, id));
  return (
    new Set(states.map((s) => s.epoch)).size === 1 &&
    new Set(states.map((s) => hex(s.epochAuthenticator))).size === 1
  );
}

describe('group changes through the sequencer', () => {
  it('add (reads only what follows), rename, set role, leave, remove', async () => {
    const [a, b, c] = [peer('Ada'), peer('Bob'), peer('Cy')];
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);

    const g = await svc(a).createGroup('team', [contact(a, b)]);
    await until(() => b.groups().length === 1, 20_000, 'Bob joins');
    const gb = groupOf(b);
    await svc(a).sendText(g, 'before Cy');
    await until(() => texts(b, gb).includes('before Cy'), 20_000, 'first message');

    // The owner adds Cy: a commit now, the Welcome once it is accepted.
    expect(await svc(a).addMembers(g, [contact(a, c)])).toEqual({ committed: true });
    await until(() => c.groups().length === 1, 20_000, 'Cy joins');
    const gc = groupOf(c);
    await svc(a).sendText(g, 'after Cy');
    await until(
      () => texts(c, gc).includes('after Cy') && texts(b, gb).includes('after Cy'),
      20_000,
      'after',
    );
    expect(texts(c, gc)).not.toContain('before Cy');
    // The history starts with how each came in (issue 17 item 10).
    expect(system(a, g).slice(0, 2)).toEqual(['You created the group', 'You added Bob']);
    expect(system(b, gb)[0]).toBe('Ada added you');
    expect(system(c, gc)[0]).toBe('Ada added you');
    expect(system(a, g)).toContain('You added Cy');
    await until(() => system(b, gb).includes('Ada added Cy'), 20_000, "Bob's system message");
    const all: [MessagingPeer, number][] = [
      [a, g],
      [b, gb],
      [c, gc],
    ];
    await until(() => converged(all), 20_000, 'one epoch after the add');

    // Rename and role changes reach everyone, with a line in the chat.
    await svc(a).rename(g, 'crew');
    await until(
      () => [conv(a, g), conv(b, gb), conv(c, gc)].every((x) => x.name === 'crew'),
      20_000,
      'rename',
    );
    expect(system(c, gc)).toContain('Ada renamed the group to “crew”');
    await until(() => accepted(a, g), 20_000, 'rename accepted');
    await svc(a).setRole(g, b.identity.publicKey, 'admin');
    await until(() => roleAt(c, gc, b) === 'admin' && roleAt(b, gb, b) === 'admin', 20_000, 'role');
    await until(() => system(c, gc).includes('Ada made Bob an admin'), 20_000, 'role line');

    // Cy leaves: left at once locally; an admin commits the proposal.
    await svc(c).leave(gc);
    expect(conv(c, gc).left_at).not.toBeNull();
    await expect(svc(c).sendText(gc, 'still here?')).rejects.toThrow(/no longer/);
    await until(() => state(a, g).members.every((m) => m.peerId !== peerOf(c)), 20_000, 'leave committed');
    await until(
      () => system(b, gb).includes('Cy left') && system(a, g).includes('Cy left'),
      20_000,
      'left line',
    );
    await until(() => !state(c, gc).active, 20_000, "Cy's device is out");

    // Bob is removed: his conversation is left and he gets nothing new.
    await until(() => accepted(a, g), 20_000, 'accepted before removing');
    expect(await svc(a).removeMember(g, b.identity.publicKey)).toEqual({ committed: true });
    await until(() => conv(b, gb).left_at !== null, 20_000, 'Bob removed');
    expect(system(b, gb)).toContain('Ada removed you');
    expect(state(b, gb).active).toBe(false);
    const secret = await svc(a).sendText(g, 'only for those still here');
    const rows = a.t.db.prepare('SELECT recipient FROM outbox WHERE message_id = ?').all(secret.id);
    expect(rows).toEqual([]);
    await expect(svc(b).sendText(gb, 'hello?')).rejects.toThrow(/no longer/);
    expect(texts(b, gb)).not.toContain('only for those still here');
  }, 120_000);

  it("a member's add becomes a proposal an admin commits; concurrent admins converge; a forged commit changes nothing", async () => {
    const [a, b, c, d] = [peer('Ada'), peer('Bob'), peer('Cy'), peer('Dee')];
    await Promise.all([a.online(), b.online(), c.online(), d.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    await befriend(c, d);

    const g = await svc(a).createGroup('four', [contact(a, b), contact(a, c)]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'joins');
    const [gb, gc] = [groupOf(b), groupOf(c)];
    await svc(a).setRole(g, b.identity.publicKey, 'admin');
    await until(() => roleAt(b, gb, b) === 'admin' && roleAt(c, gc, b) === 'admin', 20_000, 'Bob admin');
    const trio: [MessagingPeer, number][] = [
      [a, g],
      [b, gb],
      [c, gc],
    ];
    await until(() => trio.every(([p, id]) => accepted(p, id)) && converged(trio), 20_000, 'settled');

    // Two admins commit at once: the owner's commit wins everywhere, Bob's
    // rename is made again on top, and nobody loses a message.
    await Promise.all([svc(a).rename(g, 'by Ada'), svc(b).rename(gb, 'by Bob')]);
    await Promise.all([svc(a).sendText(g, 'a1'), svc(b).sendText(gb, 'b1'), svc(c).sendText(gc, 'c1')]);
    await until(
      () =>
        trio.every(([p, id]) => conv(p, id).name === 'by Bob' && accepted(p, id)) &&
        converged(trio) &&
        ['a1', 'b1', 'c1'].every((t) => trio.every(([p, id]) => texts(p, id).includes(t) || isOwn(p, t))),
      30_000,
      'concurrent commits converge',
    );
    expect(system(c, gc)).toEqual(
      expect.arrayContaining(['Ada renamed the group to “by Ada”', 'Bob renamed the group to “by Bob”']),
    );
    for (const t of ['a1', 'b1', 'c1']) {
      for (const [p, id] of trio) expect(texts(p, id).filter((x) => x === t)).toHaveLength(1);
    }

    // A forged commit by a plain member (Cy removes Bob) is rejected by everyone.
    const before = trio.map(([p, id]) => [state(p, id).epoch, hex(state(p, id).epochAuthenticator)]);
    const bobLeaf = state(c, gc).members.find((m) => m.peerId === peerOf(b))?.leafIndex ?? -1;
    const forged = await forgeRemoveCommit(state(c, gc), bobLeaf);
    const payload = encodeFrame({ kind: 'group', groupId: state(c, gc).groupId, message: forged });
    for (const target of [a, b]) {
      c.running().outbox.enqueue({ conversationId: gc, messageId: null, recipient: peerOf(target), payload });
    }
    c.running().delivery.kick();
    const forgedRows = () =>
      c.t.db
        .prepare(`SELECT state FROM outbox WHERE conversation_id = ? AND payload = X'' AND state = 'failed'`)
        .all(gc);
    await until(() => forgedRows().length === 2, 20_000, 'forged commit refused');
    expect(trio.map(([p, id]) => [state(p, id).epoch, hex(state(p, id).epochAuthenticator)])).toEqual(before);
    expect(state(a, g).members.some((m) => m.peerId === peerOf(b))).toBe(true);
    await svc(b).sendText(gb, 'still here');
    await until(
      () => texts(a, g).includes('still here') && texts(c, gc).includes('still here'),
      20_000,
      'no fork',
    );

    // Cy (a member) adds Dee: a proposal; an admin's device commits it.
    expect(await svc(c).addMembers(gc, [contact(c, d)])).toEqual({ committed: false });
    await until(() => d.groups().length === 1, 30_000, 'Dee joins through an admin');
    const gd = groupOf(d);
    await until(() => converged([...trio, [d, gd]]), 20_000, 'four on one epoch');
    // Ada and Dee are not contacts: on a LAN mDNS gives them each other's
    // addresses; here (no mDNS) Ada is told Dee's, as discovery would.
    await a.running().node.keepConnected(peerOf(d), d.running().node.addresses());
    await svc(a).sendText(g, 'welcome Dee');
    await until(() => texts(d, gd).includes('welcome Dee'), 20_000, 'Dee reads');
    expect(texts(d, gd)).not.toContain('a1');
  }, 180_000);

  it('a restart between commit and acceptance resumes without a fork; an offline member catches up from holders', async () => {
    const [a, b, c] = [peer('Ada'), peer('Bob'), peer('Cy')];
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    const g = await svc(a).createGroup('trio', [contact(a, b), contact(a, c)]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'joins');
    const [gb, gc] = [groupOf(b), groupOf(c)];
    await svc(a).setRole(g, b.identity.publicKey, 'admin');
    const trio: [MessagingPeer, number][] = [
      [a, g],
      [b, gb],
      [c, gc],
    ];
    await until(() => trio.every(([p, id]) => accepted(p, id)) && converged(trio), 20_000, 'settled');
    // Seal keys and relay lists (from profiles) reached everyone before anyone goes offline.
    await until(
      () => [a, b].every((p) => p.running().directory.relaysOf(peerOf(c)).length >= 2),
      20_000,
      "Cy's relays",
    );

    // Both admins commit; Bob restarts right away, mid-window.
    await Promise.all([svc(a).selfUpdate(g), svc(b).rename(gb, 'renamed by Bob')]);
    await b.offline();
    await b.online();
    await until(
      () =>
        trio.every(([p, id]) => accepted(p, id) && conv(p, id).name === 'renamed by Bob') && converged(trio),
      30_000,
      'converged after the restart',
    );
    await svc(b).sendText(gb, 'after restart');
    await until(() => texts(a, g).includes('after restart') && texts(c, gc).includes('after restart'));

    // Cy is offline while the group changes; Ada goes too; Cy catches up from Bob.
    const cPeer = peerOf(c);
    await c.offline();
    await svc(a).rename(g, 'while you were away');
    for (let i = 0; i < 3; i++) await svc(a).sendText(g, `away ${i}`);
    await svc(b).sendText(gb, 'from Bob');
    await until(
      () =>
        (
          a.t.db
            .prepare(`SELECT count(*) AS n FROM outbox WHERE recipient = ? AND state = 'held'`)
            .get(cPeer) as { n: number }
        ).n >= 4,
      20_000,
      "Ada's envelopes held for Cy",
    );
    await a.offline();
    await c.online();
    await until(
      () =>
        conv(c, gc).name === 'while you were away' &&
        ['away 0', 'away 1', 'away 2', 'from Bob'].every((t) => texts(c, gc).includes(t)),
      30_000,
      'Cy catches up',
    );
    expect(texts(c, gc).filter((t) => t.startsWith('away'))).toEqual(['away 0', 'away 1', 'away 2']);
    expect(state(c, gc).epoch).toBe(state(b, gb).epoch);
    expect(hex(state(c, gc).epochAuthenticator)).toBe(hex(state(b, gb).epochAuthenticator));
  }, 180_000);
  it('self-updates a group after M messages sent, and after N days (post-compromise security)', async () => {
    const a = makeTrackedPeer('Ada', { acceptMs: 300, tickMs: 100, selfUpdateAfterMessages: 3 });
    const b = makeTrackedPeer('Bob', { acceptMs: 300, tickMs: 100, selfUpdateAfterMs: 1_000 });
    await Promise.all([a.online(), b.online()]);
    await befriend(a, b);
    const g = await svc(a).createGroup('pcs', [contact(a, b)]);
    await until(() => b.groups().length === 1, 20_000, 'Bob joins');
    const gb = groupOf(b);
    const refreshed = (p: MessagingPeer, id: number) =>
      (
        p.t.db.prepare('SELECT self_updated_at FROM mls_groups WHERE conversation_id = ?').get(id) as {
          self_updated_at: number | null;
        }
      ).self_updated_at;
    // Bob's policy is age: a second after joining his keys are due, and refreshed.
    const joined = refreshed(b, gb) ?? 0;
    await until(() => (refreshed(b, gb) ?? 0) > joined, 20_000, "Bob's periodic self-update");
    const pair: [MessagingPeer, number][] = [
      [a, g],
      [b, gb],
    ];
    await until(() => converged(pair) && accepted(a, g), 20_000, 'settled');
    // Ada's policy is messages: the third one sent triggers a commit with a path.
    const before = refreshed(a, g) ?? 0;
    const epoch = state(a, g).epoch;
    for (let i = 0; i < 3; i++) await svc(a).sendText(g, `m${i}`);
    await until(
      () => (refreshed(a, g) ?? 0) > before && state(a, g).epoch > epoch,
      20_000,
      "Ada's self-update",
    );
    await until(() => converged(pair) && texts(b, gb).includes('m2'), 20_000, 'Bob follows');

    // A typing indicator is sent directly, never queued: the next message must
    // not reuse its ratchet key, or Bob would drop it as a replay.
    await svc(a).rich.setTyping(g, true);
    await until(() => svc(b).rich.typingNames(gb).includes('Ada'), 20_000, 'typing shown');
    await svc(a).sendText(g, 'after typing');
    await until(() => texts(b, gb).includes('after typing'), 20_000, 'message after typing');
  }, 60_000);
});

/** A peer's own message is stored as outgoing (sendText), not received. */
function isOwn(p: MessagingPeer, text: string): boolean {
  return p.messages(groupOf(p)).some((m) => m.outgoing && m.body === text);
}
