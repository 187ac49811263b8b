import { CommitAcks } from './commitAcks';
import { beats, commitHash, EXTERNAL_RANK, RANK, rankOf } from './commitOrder';
import { summarize } from './commitSummary';
import { encrypt } from './groupEngine';
import type { MlsGroupState } from './groupState';
import { processMessage, type ProcessOutcome } from './incoming';
import { isMlsRejection, MlsRejection } from './rejection';
import type { SequencerRecord } from './sequencerRecord';
import type { SequencerUpdate } from './sequencerTypes';
import { decodeGroupMessage } from './wire';

/** What the step reads and changes of a GroupSequencer. */
export interface RivalAccess {
  readonly record: SequencerRecord;
  current(): MlsGroupState;
  setCurrent(state: MlsGroupState): void;
  /** Accepted on acks, still within the window a late rival could arrive in. */
  inAckedWindow(now: number): boolean;
}

/**
 * A commit for the epoch before the current one: a competitor of the commit
 * this member applied (docs/protocol.md §10). It is decrypted with the kept
 * previous state; if it beats the applied one by the ordering rule
 * (commitOrder.ts), the member switches to it and re-encrypts what it sent
 * on the losing branch. 'progress' when the member switched.
 */
export async function takeRivalCommit(
  seq: RivalAccess,
  bytes: Uint8Array,
  now: number,
  update: SequencerUpdate,
): Promise<'progress' | 'done'> {
  const hash = commitHash(bytes);
  if (seq.record.rejoinPending && seq.record.applied && hash !== seq.record.applied.hash) {
    // Without the previous epoch's keys the rival cannot be read, but any
    // member's commit (a PrivateMessage) outranks an external commit, and
    // between two external commits the smaller hash wins.
    const external = decodeGroupMessage(bytes).wireformat === 'mls_public_message';
    if (!external || hash < seq.record.applied.hash) update.mustRejoin = true;
    return 'done';
  }
  if (!seq.record.previous || !seq.record.applied) {
    // Accepted on acks: every member that could have beaten our commit
    // acked it, so a rival arriving late lost (commitAcks.ts). After the
    // window it may be a fork (docs/protocol.md §10, Limits): say so.
    if (seq.inAckedWindow(now)) return 'done';
    update.rejected = new MlsRejection('stale-epoch', 'a commit for an epoch already accepted');
    return 'done';
  }
  if (hash === seq.record.applied.hash || seq.record.rivals.has(hash)) return 'done';
  seq.record.rivals.add(hash);
  seq.record.revs.meta++;
  let out: ProcessOutcome;
  try {
    out = await processMessage(seq.record.previous, bytes);
  } catch (err) {
    update.rejected = isMlsRejection(err) ? err : new MlsRejection('invalid', String(err));
    return 'done';
  }
  if (out.kind !== 'commit') return 'done';
  const rank = out.sender ? RANK[out.sender.role] : EXTERNAL_RANK;
  if (!beats({ rank, hash }, seq.record.applied)) {
    seq.record.deferredWipes.push(out.wipeConsumed);
    return 'done';
  }
  // Switch: the commit we applied lost.
  const lostOwn = seq.record.applied.own;
  if (lostOwn) update.lost.push(lostOwn);
  seq.record.setHeldWelcome(null);
  seq.record.rivals.add(seq.record.applied.hash);
  seq.setCurrent(out.state);
  // The losing branch's wipes are dropped, not run: they zero secrets of
  // the epoch before, which the winning branch still reads late messages
  // with (both branches share those objects).
  seq.record.deferredWipes = [out.wipeConsumed];
  seq.record.applied = { commit: bytes, hash, rank, own: null };
  seq.record.acks = CommitAcks.expect(
    seq.record.previous,
    out.state,
    { peerId: out.sender?.peerId ?? null, rank, external: out.sender === null },
    rankOf,
  );
  seq.record.replaceLog(seq.record.previous.epoch, bytes);
  update.commits.push({
    epoch: out.epoch,
    sender: out.sender,
    changes: out.changes,
    replacedAnother: true,
    summary: summarize(seq.record.previous, out.state, out.changes),
  });
  // What we sent on the losing branch is re-encrypted on the winning one;
  // receivers that got both copies dedupe by the application's message id.
  // (The list keeps the same sends in the same order: nothing to rewrite.)
  const resend = seq.record.unsettled;
  seq.record.unsettled = [];
  for (const m of resend) {
    const enc = await encrypt(seq.current(), m.plaintext, m.authenticatedData);
    seq.setCurrent(enc.state);
    seq.record.deferredWipes.push(enc.wipeConsumed);
    seq.record.unsettled.push(m);
    update.resend.push(enc.message);
  }
  return 'progress';
}
