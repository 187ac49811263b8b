import { describe, expect, it } from 'vitest';
import { addMembers, createGroup } from './groupEngine';
import { exportGroupInfo, rejoinByExternalCommit } from './rejoin';
import { beats, GroupSequencer } from './sequencer';
import { hex, join, keyPackageFor, makeUser, str, text } from './testing/mlsFixtures';

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

describe('GroupSequencer', () => {
  it('the rule: higher committer rank first, then the smaller hash', () => {
    expect(beats({ rank: 2, hash: 'ff' }, { rank: 1, hash: '00' })).toBe(true);
    expect(beats({ rank: 1, hash: '00' }, { rank: 1, hash: 'ff' })).toBe(true);
    expect(beats({ rank: 1, hash: 'ff' }, { rank: 1, hash: '00' })).toBe(false);
  });

  it('holds a Welcome until its commit is accepted, and reports a losing commit to redo', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    const d = makeUser('d');
    const kd = await keyPackageFor(d, 'classic');
    // Owner adds d while member c self-updates: the owner's commit outranks c's.
    const add = await a.commit({ type: 'add', keyPackages: [kd.keyPackage] }, 0);
    const upd = await c.commit({ type: 'selfUpdate' }, 0);
    if (!add || !upd) throw new Error('no commit');
    expect(add.update.welcomes).toHaveLength(0);
    await b.receive(upd.commit, 1);
    const bSwitch = await b.receive(add.commit, 2);
    expect(bSwitch.commits[0]?.replacedAnother).toBe(true);
    const cSwitch = await c.receive(add.commit, 3);
    expect(cSwitch.lost).toEqual([{ type: 'selfUpdate' }]);
    const aKeeps = await a.receive(upd.commit, 4);
    expect(aKeeps.commits).toHaveLength(0);
    // Not yet accepted: nothing released; after the window, the Welcome goes out.
    expect(a.tick(W - 1).welcomes).toHaveLength(0);
    const released = a.tick(W + 1).welcomes;
    expect(released).toHaveLength(1);
    expect(new Set(seqs.map((s) => hex(s.state.epochAuthenticator))).size).toBe(1);

    // The reverse: a member's commit loses to the owner's rename and is reported for a redo.
    for (const s of seqs) s.tick(W + 1);
    const lose = await b.commit({ type: 'selfUpdate' }, 2 * W);
    const win = await a.commit({ type: 'rename', name: 'by a' }, 2 * W);
    if (!lose || !win) throw new Error('no commit');
    const r = await b.receive(win.commit, 2 * W + 1);
    expect(r.lost).toEqual([{ type: 'selfUpdate' }]);
    expect(b.state.name).toBe('by a');
  });

  it('a member that applied the losing commit resends what it sent on that branch', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    const win = await a.commit({ type: 'selfUpdate' }, 0);
    const lose = await c.commit({ type: 'selfUpdate' }, 0);
    if (!win || !lose) throw new Error('no commit');
    const sent = await c.send(text('hello from the losing branch'), undefined, 1);
    // b sees c's branch first: the message decrypts there.
    await b.receive(lose.commit, 2);
    const first = await b.receive(sent.message, 3);
    expect(first.delivered.map((d) => str(d.plaintext))).toEqual(['hello from the losing branch']);
    // a never can: it holds the message for a retry.
    const held = await a.receive(sent.message, 4);
    expect(held.delivered).toHaveLength(0);
    expect(a.heldCount).toBe(1);
    await b.receive(win.commit, 5);
    const switched = await c.receive(win.commit, 6);
    expect(switched.resend).toHaveLength(1);
    const resend = switched.resend[0]!;
    expect(str((await a.receive(resend, 7)).delivered[0]!.plaintext)).toBe('hello from the losing branch');
    expect(str((await b.receive(resend, 8)).delivered[0]!.plaintext)).toBe('hello from the losing branch');
    a.tick(W + 10);
    expect(a.heldCount).toBe(0);
  });

  it('hands recent commits to a member coming back online; a member too far behind rejoins by external commit', async () => {
    const { users, seqs } = await trio();
    const [a, b, c] = seqs;
    const offline = GroupSequencer.restore(c.snapshot(), { acceptMs: W });
    let now = 0;
    for (let i = 0; i < 3; i++) {
      now += W + 1;
      const out = await a.commit({ type: 'selfUpdate' }, now);
      if (!out) throw new Error('no commit');
      await b.receive(out.commit, now);
      await c.receive(out.commit, now);
    }
    const log = a.commitsAfter(offline.epoch);
    expect(log).toHaveLength(3);
    for (const m of log ?? []) await offline.receive(m, ++now);
    expect(hex(offline.state.epochAuthenticator)).toBe(hex(a.state.epochAuthenticator));

    // A log of 2 cannot bring back a member 3 epochs behind: it rejoins.
    const short = new GroupSequencer(a.state, { logSize: 2 });
    expect(short.commitsAfter(a.epoch - 3)).toBeNull();
    now += W + 1;
    const rejoin = await rejoinByExternalCommit(users[2].device, await exportGroupInfo(b.state), now);
    const back = GroupSequencer.afterRejoin(rejoin.state, rejoin.commit, now, { acceptMs: W });
    const seen = await a.receive(rejoin.commit, now + 1);
    expect(seen.commits[0]?.changes.removed.map((m) => m.peerId)).toEqual([users[2].device.peerId]);
    await b.receive(rejoin.commit, now + 1);
    expect(new Set([a, b, back].map((s) => hex(s.state.epochAuthenticator))).size).toBe(1);
    expect(a.state.members).toHaveLength(3);
    const msg = await back.send(text('back'), undefined, now + 2);
    expect(str((await a.receive(msg.message, now + 3)).delivered[0]!.plaintext)).toBe('back');
  });

  it('a rejoin that loses to a member commit is told to rejoin again', async () => {
    const { users, seqs } = await trio();
    const [a, b] = seqs;
    const gi = await exportGroupInfo(a.state);
    const rejoin = await rejoinByExternalCommit(users[2].device, gi, 0);
    const back = GroupSequencer.afterRejoin(rejoin.state, rejoin.commit, 0, { acceptMs: W });
    const member = await b.commit({ type: 'selfUpdate' }, 0);
    if (!member) throw new Error('no commit');
    await a.receive(rejoin.commit, 1);
    const switched = await a.receive(member.commit, 2);
    expect(switched.commits[0]?.replacedAnother).toBe(true);
    expect((await back.receive(member.commit, 3)).mustRejoin).toBe(true);
  });

  it('survives a restart mid-epoch (snapshot and restore)', async () => {
    const { seqs } = await trio();
    const [a, , c] = seqs;
    const win = await a.commit({ type: 'selfUpdate' }, 0);
    const lose = await c.commit({ type: 'selfUpdate' }, 0);
    if (!win || !lose) throw new Error('no commit');
    await c.send(text('x'), undefined, 1);
    const restored = GroupSequencer.restore(c.snapshot(), { acceptMs: W });
    expect(restored.accepted).toBe(false);
    const r = await restored.receive(win.commit, 2);
    expect(r.resend).toHaveLength(1);
    expect(r.lost).toEqual([{ type: 'selfUpdate' }]);
    expect(hex(restored.state.epochAuthenticator)).toBe(hex(a.state.epochAuthenticator));
  });

  it('persists in parts, each only when it changed, and resumes from them mid-window', async () => {
    const { seqs } = await trio();
    const [a, b, c] = seqs;
    const r0 = b.revisions;
    // An application message in an accepted epoch changes only the current state.
    const hello = await a.send(text('hello'), undefined, 0);
    await b.receive(hello.message, 1);
    expect(b.revisions).toEqual(r0);

    const win = await a.commit({ type: 'rename', name: 'won' }, 10);
    const lose = await c.commit({ type: 'selfUpdate' }, 10);
    if (!win || !lose) throw new Error('no commit');
    await b.receive(lose.commit, 11);
    const r1 = b.revisions;
    expect(r1.meta).toBeGreaterThan(r0.meta);
    expect(r1.log).toBeGreaterThan(r0.log);
    expect(r1.previous).toBeGreaterThan(r0.previous);
    expect(b.previousState).not.toBeNull();

    // A restart now: the parts and the current state bring back the same sequencer.
    const parts = {
      meta: b.metaBytes(),
      log: b.logBytes(),
      previous: b.previousState?.serialize() ?? null,
    };
    const back = GroupSequencer.fromParts(b.state, parts, { acceptMs: W });
    expect(back.accepted).toBe(false);
    const switched = await back.receive(win.commit, 12);
    expect(switched.commits[0]).toMatchObject({ replacedAnother: true, summary: { name: 'won' } });
    expect(hex(back.state.epochAuthenticator)).toBe(hex(a.state.epochAuthenticator));
    expect(back.tick(12 + W).welcomes).toHaveLength(0);
    expect(back.accepted).toBe(true);

    // Damaged parts are reported, never guessed at.
    expect(() => GroupSequencer.fromParts(b.state, { ...parts, meta: text('{not json') })).toThrow(/damaged/);
  });

  it('holds a commit that arrives before the proposal it commits, and applies it once the proposal comes', async () => {
    // Cy's leave proposal and Ada's commit of it come from different senders:
    // nothing orders them on the way to Bob. Refused, the commit was lost and
    // Bob forked on his own commit of the same proposal (groupChanges.test.ts
    // "add … remove": "Bob removed" timed out under load).
    const { users, seqs } = await trio();
    const [a, b, c] = seqs;
    const leaving = await c.propose({ type: 'leave' }, 0);
    await a.receive(leaving.proposal, 1);
    const committed = await a.commit({ type: 'commitPending' }, 2);
    if (!committed) throw new Error('no commit');
    const early = await b.receive(committed.commit, 3);
    expect(early.rejected).toBeNull();
    expect(early.commits).toEqual([]);
    expect(b.heldCount).toBe(1);
    const late = await b.receive(leaving.proposal, 4);
    expect(late.commits[0]?.summary.leavers.map(hex)).toEqual([hex(users[2].identity.publicKey)]);
    expect(hex(b.state.epochAuthenticator)).toBe(hex(a.state.epochAuthenticator));
    expect(b.heldCount).toBe(0);
  });

  it('reports proposals, who left, role changes, and whom a released Welcome is for', async () => {
    const { users, seqs } = await trio();
    const [a, b, c] = seqs;
    // c proposes its own removal; b (a member) sees the proposal, a commits it.
    const leaving = await c.propose({ type: 'leave' }, 0);
    const seen = await b.receive(leaving.proposal, 1);
    expect(seen.proposals.map((p) => p.proposal)).toEqual([
      { type: 'remove', leafIndex: c.state.ownLeafIndex, selfRemoval: true },
    ]);
    await a.receive(leaving.proposal, 1);
    const committed = await a.commit({ type: 'commitPending' }, 2);
    if (!committed) throw new Error('no commit');
    expect(committed.applied.summary.leavers.map(hex)).toEqual([hex(users[2].identity.publicKey)]);
    const atB = await b.receive(committed.commit, 3);
    expect(atB.commits[0]?.summary.leavers.map(hex)).toEqual([hex(users[2].identity.publicKey)]);
    expect((await c.receive(committed.commit, 3)).commits[0]?.changes.removedSelf).toBe(true);

    a.tick(2 + W);
    b.tick(3 + W);
    const role = await a.commit(
      { type: 'setRole', identityKey: users[1].identity.publicKey, role: 'admin' },
      3 * W,
    );
    if (!role) throw new Error('no commit');
    expect(role.applied.summary.roleChanges.map((r) => [hex(r.identityKey), r.role])).toEqual([
      [hex(users[1].identity.publicKey), 'admin'],
    ]);
    await b.receive(role.commit, 3 * W);

    const d = makeUser('d');
    const kd = await keyPackageFor(d, 'classic');
    const add = await a.commit({ type: 'add', keyPackages: [kd.keyPackage] }, 5 * W);
    if (!add) throw new Error('no commit');
    expect(a.awaitingWelcome).toEqual([d.device.peerId]);
    // The held Welcome is its own part, and a send in the window only appends
    // to the unsettled sends: nothing already written is rewritten.
    const held = a.revisions;
    await a.send(text('in the window'), undefined, 5 * W + 1);
    expect(a.revisions).toEqual(held);
    expect(a.unsettledSends).toHaveLength(1);
    const back = GroupSequencer.fromParts(a.state, {
      meta: a.metaBytes(),
      log: a.logBytes(),
      previous: a.previousState?.serialize() ?? null,
      welcome: a.welcomeBytes(),
    });
    expect(back.awaitingWelcome).toEqual([d.device.peerId]);
    const released = a.tick(6 * W + 1).welcomes;
    expect(released.map((w) => w.recipients)).toEqual([[d.device.peerId]]);
    expect(a.awaitingWelcome).toEqual([]);
  });
});
