import { describe, expect, it } from 'vitest';
import { decodeAck, encodeAck } from './commitAcks';
import { addMembers, createGroup } from './groupEngine';
import { exportGroupInfo, rejoinByExternalCommit } from './rejoin';
import { GroupSequencer } from './sequencer';
import type { SequencerUpdate } from './sequencerTypes';
import { hex, join, keyPackageFor, makeUser, str, text } from './testing/mlsFixtures';

/**
 * Commit acks (docs/protocol.md §10, "Acceptance"): with every member
 * online a commit is accepted once the others acked it, not after the
 * window; a member that may still hold a better commit keeps it open.
 */

const W = 60_000;

async function trio() {
  const [a, b, c] = [makeUser('a'), makeUser('b'), makeUser('c')];
  const kb = await keyPackageFor(b, 'classic');
  const kc = await keyPackageFor(c, 'classic');
  const added = await addMembers(await createGroup(a.device, { suite: 'classic' }), [
    kb.keyPackage,
    kc.keyPackage,
  ]);
  const seqs = [
    new GroupSequencer(added.state, { acceptMs: W }),
    new GroupSequencer(await join(b, kb, added), { acceptMs: W }),
    new GroupSequencer(await join(c, kc, added), { acceptMs: W }),
  ] as const;
  return { users: [a, b, c] as const, seqs };
}

/** Hands every ack in `u` to each of `to`, at time `now`; returns their updates. */
async function deliverAcks(u: SequencerUpdate, to: readonly GroupSequencer[], now: number) {
  const out: SequencerUpdate[] = [];
  for (const ack of u.acks) for (const s of to) out.push(await s.receive(ack, now));
  return out;
}

describe('commit acks', () => {
  it('an ack is the commit hash behind a prefix no chat content starts with', () => {
    const hash = 'ab'.repeat(32);
    expect(decodeAck(encodeAck(hash))).toBe(hash);
    expect(decodeAck(text('{"v":1,"type":"text"}'))).toBeNull();
    expect(decodeAck(encodeAck(hash).subarray(1))).toBeNull();
    expect(() => encodeAck('abcd')).toThrow(RangeError);
  });

  it('every member online: accepted as soon as the others acked, Welcome released at once, no window', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    const d = makeUser('d');
    const kd = await keyPackageFor(d, 'classic');
    const add = await a.commit({ type: 'add', keyPackages: [kd.keyPackage] }, 0);
    if (!add) throw new Error('no commit');
    expect(a.accepted).toBe(false);
    expect([...a.awaitingAcks].sort()).toEqual([b.state.self.peerId, c.state.self.peerId].sort());
    const atB = await b.receive(add.commit, 10);
    const atC = await c.receive(add.commit, 10);
    expect(atB.acks).toHaveLength(1);
    expect(atC.acks).toHaveLength(1);
    // The ack is not a chat message.
    const fromB = await deliverAcks(atB, [a, c], 20);
    expect(fromB.flatMap((u) => u.delivered)).toEqual([]);
    expect(a.accepted).toBe(false);
    expect(a.awaitingAcks).toEqual([c.state.self.peerId]);
    const fromC = await deliverAcks(atC, [a, b], 30);
    // Long before the window: everyone has accepted, the Welcome goes out now.
    expect(seqs.every((s) => s.accepted)).toBe(true);
    expect(fromC[0]?.settled).toBe(true);
    expect(fromC[0]?.welcomes.map((w) => w.recipients)).toEqual([[d.device.peerId]]);
    // The next change can be made right away.
    expect(await a.commit({ type: 'rename', name: 'next' }, 40)).not.toBeNull();
  });

  it('a member that made a better commit never acks: the loser stays open and switches when it arrives', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    // Both members self-update; which one wins is decided by the hash (same rank).
    const x = await b.commit({ type: 'selfUpdate' }, 0);
    const y = await c.commit({ type: 'selfUpdate' }, 0);
    if (!x || !y) throw new Error('no commit');
    const xWins = hex(x.commit) !== hex(y.commit) && (await sha(x.commit)) < (await sha(y.commit));
    const [winner, loser, winBytes, loseBytes] = xWins
      ? [b, c, x.commit, y.commit]
      : [c, b, y.commit, x.commit];
    // a sees the loser first and acks it; the winner's author receives it and keeps its own.
    const aLoser = await a.receive(loseBytes, 1);
    expect(aLoser.acks).toHaveLength(1);
    const keeps = await winner.receive(loseBytes, 2);
    expect(keeps.acks).toHaveLength(0);
    await deliverAcks(aLoser, [loser], 3);
    // a's ack alone does not accept the losing commit: the winner's author never acked it.
    expect(loser.accepted).toBe(false);
    // The winner arrives: a and the loser switch and ack the winner, which is then accepted everywhere.
    const aWin = await a.receive(winBytes, 4);
    const lWin = await loser.receive(winBytes, 5);
    expect(lWin.lost).toEqual([{ type: 'selfUpdate' }]);
    await deliverAcks(aWin, [winner, loser], 6);
    await deliverAcks(lWin, [winner, a], 7);
    expect(seqs.every((s) => s.accepted)).toBe(true);
    expect(new Set(seqs.map((s) => hex(s.state.epochAuthenticator))).size).toBe(1);
    // The losing branch's late commit is dropped quietly, not reported as a rejection.
    expect((await a.receive(loseBytes, 8)).rejected).toBeNull();
  });

  it('a member that is offline never acks: only the window accepts the commit', async () => {
    const { seqs } = await trio();
    const [a, b] = seqs;
    const out = await a.commit({ type: 'rename', name: 'quiet' }, 0);
    if (!out) throw new Error('no commit');
    await deliverAcks(await b.receive(out.commit, 1), [a], 2);
    expect(a.tick(W - 1).settled).toBe(false);
    expect(a.accepted).toBe(false);
    expect(a.tick(W).settled).toBe(true);
  });

  it('a removal the removed member could have beaten waits for the window: it has no leaf to ack from', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    // c asks to leave; b, a plain member like c, commits it. c ranks as high as b, so c could
    // have made a winning commit b will never see acked.
    const leaving = await c.propose({ type: 'leave' }, 0);
    await a.receive(leaving.proposal, 1);
    await b.receive(leaving.proposal, 1);
    const commit = await b.commit({ type: 'commitPending' }, 2);
    if (!commit) throw new Error('no commit');
    // Nobody acks a commit only the window can accept.
    expect((await a.receive(commit.commit, 3)).acks).toEqual([]);
    expect(b.awaitingAcks).toEqual([]);
    expect(b.accepted).toBe(false);
    expect(b.tick(2 + W).settled).toBe(true);

    // The owner removing a member needs no window: a member cannot outrank the owner.
    const d = await trio();
    const [owner, bob, cy] = d.seqs;
    const remove = await owner.commit({ type: 'remove', identityKeys: [d.users[2].identity.publicKey] }, 0);
    if (!remove) throw new Error('no commit');
    await cy.receive(remove.commit, 1);
    await deliverAcks(await bob.receive(remove.commit, 1), [owner], 2);
    expect(owner.accepted).toBe(true);
  });

  it('acks survive a restart of the committer', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    const out = await a.commit({ type: 'selfUpdate' }, 0);
    if (!out) throw new Error('no commit');
    const atB = await b.receive(out.commit, 1);
    const atC = await c.receive(out.commit, 1);
    await deliverAcks(atB, [a], 2);
    const back = GroupSequencer.fromParts(a.state, {
      meta: a.metaBytes(),
      log: a.logBytes(),
      previous: a.previousState?.serialize() ?? null,
    });
    expect(back.awaitingAcks).toEqual([c.state.self.peerId]);
    await deliverAcks(atC, [back], 3);
    expect(back.accepted).toBe(true);
  });

  it('a rejoin by external commit is accepted by the window only (the old leaf cannot ack)', async () => {
    const { users, seqs } = await trio();
    const [a, b] = seqs;
    const rejoin = await rejoinByExternalCommit(users[2].device, await exportGroupInfo(b.state), 0);
    const back = GroupSequencer.afterRejoin(rejoin.state, rejoin.commit, 0, { acceptMs: W });
    const atA = await a.receive(rejoin.commit, 1);
    expect(atA.acks).toHaveLength(0);
    expect(a.accepted).toBe(false);
    // Writable at once all the same: a send in the open epoch is kept to resend if it loses.
    const msg = await back.send(text('back'), undefined, 2);
    expect(str((await a.receive(msg.message, 3)).delivered[0]!.plaintext)).toBe('back');
    expect(back.tick(W).settled).toBe(true);
  });

  it('parts written before acks existed still load: the window decides', async () => {
    const { seqs } = await trio();
    const [a] = seqs;
    const out = await a.commit({ type: 'selfUpdate' }, 0);
    if (!out) throw new Error('no commit');
    const meta = JSON.parse(Buffer.from(a.metaBytes()).toString('utf8')) as Record<string, unknown>;
    delete meta.acks;
    const legacy = GroupSequencer.fromParts(
      a.state,
      {
        meta: new Uint8Array(Buffer.from(JSON.stringify(meta))),
        log: a.logBytes(),
        previous: a.previousState?.serialize() ?? null,
      },
      { acceptMs: W },
    );
    expect(legacy.accepted).toBe(false);
    expect(legacy.tick(W).settled).toBe(true);
  });
});

async function sha(b: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(b).digest('hex');
}
