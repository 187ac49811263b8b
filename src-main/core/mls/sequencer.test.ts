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
});
