import type { DeviceListEntry, DeviceListHead } from '../identity/deviceListEntry';
import { entryHash } from '../identity/deviceListEntry';
import { type DeviceListRule, verifyDeviceList, type VerifyOptions } from '../identity/deviceListVerify';
import type { DeviceListRepository } from '../store/repositories/deviceListRepository';
import type { Logger } from '../util/logger';
import { packEntries } from './entryChain';

/** What became of entries someone showed us. */
export type AcceptResult =
  /** New entries verified and stored. */
  | { status: 'extended'; added: DeviceListEntry[]; head: DeviceListHead }
  /** Nothing we did not hold already. */
  | { status: 'unchanged'; head: DeviceListHead }
  /** They start after our head, or differ before what they carry: ask for more (from 0). */
  | { status: 'incomplete' }
  /** We hold no list for this person and do not know their identity key. */
  | { status: 'unknown' }
  /** They break a rule (or do not decode): dropped, nothing stored. */
  | { status: 'refused'; rule: DeviceListRule | 'malformed'; reason: string }
  /** A second validly signed version of a position we hold: evidence stored. */
  | { status: 'fork'; seq: number; recorded: boolean }
  /** The person's list has an open fork: nothing beyond it is taken until the user chooses. */
  | { status: 'frozen'; head: DeviceListHead };

/** What the fork check needs from DeviceLists. */
export interface ForkContext {
  repo: DeviceListRepository;
  claimedBy: NonNullable<VerifyOptions['claimedBy']>;
  logger: Logger;
  now: () => number;
  /** Logs and returns a refusal (DeviceLists.refused). */
  refused: (rule: DeviceListRule | 'malformed', reason: string) => AcceptResult;
  tell: (news: { kind: 'fork'; identityKey: Uint8Array; seq: number; toldBy: string | null }) => void;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/**
 * The entry at `decoded[k]` differs from ours at the same seq (docs/protocol.md
 * §13.4). If the other version validly continues our common prefix, it is a
 * fork: kept as evidence (ours at that seq, theirs from there on) and
 * reported. A version that does not verify is only a claim, and is dropped
 * without an alert.
 */
export function otherVersion(
  ctx: ForkContext,
  shown: {
    identityKey: Uint8Array;
    stored: readonly Uint8Array[];
    decoded: readonly DeviceListEntry[];
    k: number;
    toldBy: string | null;
  },
): AcceptResult {
  const { identityKey, stored, decoded, k, toldBy } = shown;
  const theirs = decoded.slice(k);
  const seq = (theirs[0] as DeviceListEntry).seq;
  let verdict;
  if (seq === 0) {
    verdict = verifyDeviceList(
      theirs.map((e) => e.bytes),
      { claimedBy: ctx.claimedBy },
    );
  } else {
    // The common prefix must be in what they showed, or be provable from the prev link.
    if (!same((theirs[0] as DeviceListEntry).prev, entryHash(stored[seq - 1] as Uint8Array)))
      return k === 0
        ? { status: 'incomplete' }
        : { status: 'refused', rule: 2, reason: 'prev does not match the entry before' };
    const prefix = verifyDeviceList(stored.slice(0, seq));
    if (!prefix.ok) return { status: 'refused', rule: 'malformed', reason: 'stored list unreadable' };
    verdict = verifyDeviceList(
      theirs.map((e) => e.bytes),
      { from: prefix.state, claimedBy: ctx.claimedBy },
    );
  }
  if (!verdict.ok) return ctx.refused(verdict.rule, verdict.reason);
  const recorded = ctx.repo.recordFork({
    identityKey,
    seq,
    ours: stored[seq] as Uint8Array,
    theirs: packEntries(theirs.map((e) => e.bytes)),
    toldBy,
    at: ctx.now(),
  });
  ctx.logger.log('warn', 'devices.fork', { seq, recorded });
  if (recorded) ctx.tell({ kind: 'fork', identityKey, seq, toldBy });
  return { status: 'fork', seq, recorded };
}
