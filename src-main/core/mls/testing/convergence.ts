import { addMembers, createGroup, setRole } from '../groupEngine';
import type { MlsGroupState } from '../groupState';
import type { CommitIntent } from '../commitIntent';
import { GroupSequencer } from '../sequencer';
import type { SequencerUpdate } from '../sequencerTypes';
import type { MlsSuiteName } from '../suites';
import { seededRandom } from '../../util/seededRandom';
import { hex, join, keyPackageFor, makeUser, str, text, type TestUser } from './mlsFixtures';

/** A seeded PRNG, so a failing run can be replayed from its seed. */
export const prng = seededRandom;

const ACCEPT_MS = 60_000;

interface Member {
  readonly user: TestUser;
  seq: GroupSequencer;
  /** Messages on their way to this member, delivered in random order. */
  inbox: Uint8Array[];
  /** Application-level message ids seen (the messaging layer dedupes by uid). */
  readonly seen: Map<string, number>;
}

export interface ConvergenceResult {
  readonly seed: number;
  readonly rounds: number;
  readonly commits: number;
  readonly switches: number;
  readonly lostCommits: number;
  readonly resent: number;
  readonly restarts: number;
  readonly messages: number;
  /** Copies delivered more than once (a losing branch's message, then its resend). */
  readonly duplicates: number;
  /** Acks sent (docs/protocol.md §10). */
  readonly acks: number;
  /** Rounds whose epoch every member accepted on acks alone, before any window passed. */
  readonly settledByAcks: number;
  readonly epoch: number;
}

/** Sets up `n` members of one group: member 0 owner, 1 and 2 admins, the rest members. */
async function setup(
  n: number,
  suite: MlsSuiteName,
): Promise<{ users: TestUser[]; states: MlsGroupState[] }> {
  const users = Array.from({ length: n }, (_, i) => makeUser(`m${i}`));
  const kps = await Promise.all(users.slice(1).map((u) => keyPackageFor(u, suite)));
  const added = await addMembers(
    await createGroup(users[0]!.device, { suite }),
    kps.map((k) => k.keyPackage),
  );
  const states: MlsGroupState[] = [added.state];
  for (let i = 1; i < n; i++) states.push(await join(users[i]!, kps[i - 1]!, added));
  // Two admins, so concurrent commits come from owner, admins and members.
  for (const admin of [1, 2].filter((i) => i < n)) {
    const r = await setRole(states[0]!, users[admin]!.identity.publicKey, 'admin');
    states[0] = r.state;
    r.wipeConsumed();
    const { processMessage } = await import('../incoming');
    for (let i = 1; i < n; i++) {
      const p = await processMessage(states[i]!, r.commit);
      p.wipeConsumed();
      states[i] = p.state;
    }
  }
  return { users, states };
}

/**
 * `n` members; each round 1–3 of them commit concurrently (admins rename or
 * self-update, members self-update), members send application messages
 * while commits are in flight, every member's inbox is delivered in random
 * order, and members restart at random (the sequencer is rebuilt from its
 * snapshot, as from the database). Acks go to everyone like any message.
 * After each round the clock moves past the acceptance window, unless
 * `settle` is 'acks': then no time passes and every member must have
 * accepted the round's winner on acks alone (nobody is offline here).
 * Checks after every round: one epoch and one epoch authenticator; at the
 * end: every message reached every other member.
 */
export async function convergence(options: {
  members: number;
  rounds: number;
  suite: MlsSuiteName;
  seed: number;
  settle?: 'window' | 'acks';
}): Promise<ConvergenceResult> {
  const { members: n, rounds, suite, seed } = options;
  const settle = options.settle ?? 'window';
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const { users, states } = await setup(n, suite);
  let now = 1_000_000;
  const ms: Member[] = users.map((user, i) => ({
    user,
    seq: new GroupSequencer(states[i]!, { acceptMs: ACCEPT_MS }),
    inbox: [],
    seen: new Map(),
  }));
  const sent = new Map<string, number>(); // uid -> sender index
  let commits = 0;
  let switches = 0;
  let lostCommits = 0;
  let resent = 0;
  let restarts = 0;
  let duplicates = 0;
  let acks = 0;
  let settledByAcks = 0;
  let uidCounter = 0;

  const broadcast = (from: number, bytes: Uint8Array) => {
    ms.forEach((m, i) => {
      if (i !== from) m.inbox.push(bytes);
    });
  };
  const absorb = (i: number, u: SequencerUpdate) => {
    const m = ms[i]!;
    for (const d of u.delivered) {
      const uid = str(d.plaintext).split('|')[0]!;
      const c = (m.seen.get(uid) ?? 0) + 1;
      m.seen.set(uid, c);
      if (c > 1) duplicates++;
    }
    for (const c of u.commits) if (c.replacedAnother) switches++;
    for (const r of u.resend) {
      resent++;
      broadcast(i, r);
    }
    for (const a of u.acks) {
      acks++;
      broadcast(i, a);
    }
    lostCommits += u.lost.length;
    if (u.rejected && u.rejected.reason !== 'replay') {
      throw new Error(`member ${i} rejected a message: ${u.rejected.message}`);
    }
  };
  const sendOne = async (i: number) => {
    const uid = `u${uidCounter++}`;
    const { message, update } = await ms[i]!.seq.send(text(`${uid}|from m${i}`), undefined, now);
    absorb(i, update);
    sent.set(uid, i);
    broadcast(i, message);
  };

  for (let round = 0; round < rounds; round++) {
    // Concurrent commits: each committer works on the same accepted epoch.
    const committers = [...Array(n).keys()].filter(() => rand() < 0.35);
    if (committers.length === 0) committers.push(Math.floor(rand() * n));
    for (const i of committers.slice(0, 3)) {
      const role = ms[i]!.seq.state.self.role;
      const intent: CommitIntent =
        role !== 'member' && rand() < 0.5
          ? { type: 'rename', name: `r${round}-m${i}` }
          : { type: 'selfUpdate' };
      const out = await ms[i]!.seq.commit(intent, now);
      if (!out) continue;
      absorb(i, out.update);
      commits++;
      broadcast(i, out.commit);
    }
    // Deliver in random order, with messages sent and restarts in between.
    for (;;) {
      const busy = ms.map((m, i) => (m.inbox.length > 0 ? i : -1)).filter((i) => i >= 0);
      if (busy.length === 0) break;
      const r = rand();
      if (r < 0.08) {
        await sendOne(Math.floor(rand() * n));
        continue;
      }
      if (r < 0.1) {
        const i = Math.floor(rand() * n);
        ms[i]!.seq = GroupSequencer.restore(ms[i]!.seq.snapshot(), { acceptMs: ACCEPT_MS });
        restarts++;
        continue;
      }
      const i = pick(busy);
      const m = ms[i]!;
      const k = Math.floor(rand() * m.inbox.length);
      const [bytes] = m.inbox.splice(k, 1);
      now += 1;
      absorb(i, await m.seq.receive(bytes!, now));
    }
    if (settle === 'acks') {
      // Everyone is online and every message arrived: the acks alone settle the epoch.
      const open = ms.map((m, i) => (m.seq.accepted ? -1 : i)).filter((i) => i >= 0);
      if (open.length > 0) {
        throw new Error(`round ${round}: members ${open.join(',')} did not accept the epoch on acks`);
      }
      settledByAcks++;
    } else {
      // The acceptance window passes; held Welcomes (none here) would go out.
      if (ms.every((m) => m.seq.accepted)) settledByAcks++;
      now += ACCEPT_MS + 1;
      ms.forEach((m, i) => absorb(i, m.seq.tick(now)));
    }
    const epochs = new Set(ms.map((m) => m.seq.epoch));
    const auths = new Set(ms.map((m) => hex(m.seq.state.epochAuthenticator)));
    if (epochs.size !== 1 || auths.size !== 1) {
      throw new Error(
        `round ${round}: members diverged: epochs ${[...epochs].join(',')}, ${auths.size} authenticators`,
      );
    }
    // A message or two in the settled epoch as well.
    if (rand() < 0.5) await sendOne(Math.floor(rand() * n));
  }
  // Deliver what the last sends left in flight.
  for (;;) {
    const busy = ms.map((m, i) => (m.inbox.length > 0 ? i : -1)).filter((i) => i >= 0);
    if (busy.length === 0) break;
    const i = pick(busy);
    const m = ms[i]!;
    const [bytes] = m.inbox.splice(Math.floor(rand() * m.inbox.length), 1);
    absorb(i, await m.seq.receive(bytes!, ++now));
  }
  for (const [uid, from] of sent) {
    ms.forEach((m, i) => {
      if (i !== from && !m.seen.has(uid)) throw new Error(`member ${i} never got ${uid} from member ${from}`);
    });
  }
  return {
    seed,
    rounds,
    commits,
    switches,
    lostCommits,
    resent,
    restarts,
    messages: sent.size,
    duplicates,
    acks,
    settledByAcks,
    epoch: ms[0]!.seq.epoch,
  };
}
