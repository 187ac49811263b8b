import { ParleyError } from '../errors';
import {
  GroupSequencer,
  intentFromJson,
  intentToJson,
  type CommitIntent,
  type IntentJson,
  type MlsGroupState,
  type MlsStore,
  type SequencerOptions,
  type SequencerRevisions,
} from '../mls';
import type { SequencerRepository } from '../store/repositories/sequencerRepository';

/**
 * One GroupSequencer per conversation, cached in memory and persisted beside
 * the group state (migration 0008, `mls_sequencer`). The current state
 * stays MlsStore's: a message in an accepted epoch still costs only its
 * ratchet-journal write. The sequencer's other parts are rewritten only when
 * their revision moved, and always inside the caller's transaction, with the
 * rows they produced and before anything is sent or acked (DESIGN.md §1
 * rule 6), so a restart at any point resumes from a consistent pair.
 *
 * If a transaction fails, the in-memory sequencer is ahead of the database:
 * the entry is dropped and reloaded from disk on next use (`drop`).
 */

/** Messaging's own per-group bookkeeping, persisted in `mls_sequencer.pending`. */
export interface PendingWork {
  /** Changes to commit once the current epoch is accepted (made while it was not, or lost). */
  queued: CommitIntent[];
  /**
   * Group-message frames sent while a Welcome was held: the new devices are
   * in the group for everyone else, but have nothing to read them with
   * until their Welcome arrives, so they get these right after it.
   */
  backlog: Uint8Array[];
  /** When proposals were first seen pending in this epoch (a plain member commits a leave after a window). */
  proposalsSeenAt: number | null;
}

interface PendingJson {
  v: 1;
  queued: IntentJson[];
  backlog: string[];
  proposalsSeenAt: number | null;
}

export interface SequencerEntry {
  readonly conversationId: number;
  readonly seq: GroupSequencer;
  pending: PendingWork;
  /** Set when `pending` changed and must be written. */
  pendingDirty: boolean;
  /** Own application messages sent since this device last refreshed its keys (self-update policy). */
  sentSinceUpdate: number;
  /** The revisions and state last written. */
  written: SequencerRevisions;
  /** How many of the sequencer's unsettled sends are in mls_unsettled. */
  writtenUnsettled: number;
  /** Since when it has held messages of a later epoch, at which epoch (in memory: GroupOps' stall check). */
  stalledSince: number | null;
  stalledEpoch: number;
  stored: MlsGroupState;
}

/** The backlog is bounded; beyond it a new member simply starts later (docs/protocol.md §10). */
export const MAX_BACKLOG = 256;

const emptyPending = (): PendingWork => ({ queued: [], backlog: [], proposalsSeenAt: null });

function decodePending(bytes: Buffer | null): PendingWork {
  if (!bytes) return emptyPending();
  const data = JSON.parse(bytes.toString('utf8')) as PendingJson;
  if (data.v !== 1) throw new Error('unknown pending format');
  return {
    queued: data.queued.map(intentFromJson),
    backlog: data.backlog.map((b) => new Uint8Array(Buffer.from(b, 'base64'))),
    proposalsSeenAt: data.proposalsSeenAt,
  };
}

function encodePending(p: PendingWork): Buffer | null {
  if (p.queued.length === 0 && p.backlog.length === 0 && p.proposalsSeenAt === null) return null;
  const data: PendingJson = {
    v: 1,
    queued: p.queued.map(intentToJson),
    backlog: p.backlog.map((b) => Buffer.from(b).toString('base64')),
    proposalsSeenAt: p.proposalsSeenAt,
  };
  return Buffer.from(JSON.stringify(data), 'utf8');
}

export class GroupSequencers {
  private readonly cache = new Map<number, SequencerEntry>();

  constructor(
    private readonly repo: SequencerRepository,
    private readonly mls: MlsStore,
    private readonly options: SequencerOptions,
    private readonly now: () => number,
  ) {}

  /** The conversation's sequencer, loaded (and cached) on first use; null without a group state. */
  get(conversationId: number): SequencerEntry | null {
    const cached = this.cache.get(conversationId);
    if (cached) return cached;
    const state = this.mls.load(conversationId);
    if (!state) return null;
    const row = this.repo.parts(conversationId);
    let seq: GroupSequencer;
    let pending: PendingWork;
    try {
      const unsettled = this.repo.unsettled(conversationId);
      seq = row
        ? GroupSequencer.fromParts(
            state,
            {
              meta: row.meta ? new Uint8Array(row.meta) : null,
              log: row.log ? new Uint8Array(row.log) : null,
              previous: row.previous ? new Uint8Array(row.previous) : null,
              welcome: row.welcome ? new Uint8Array(row.welcome) : null,
              unsettled,
            },
            this.options,
          )
        : new GroupSequencer(state, this.options);
      pending = decodePending(row?.pending ?? null);
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      throw new ParleyError('DATABASE_CORRUPT', 'The stored group ordering state is damaged.', {
        cause: err,
      });
    }
    const stored = this.repo.unsettledCount(conversationId);
    const legacy = seq.unsettledSends.length > stored;
    const entry: SequencerEntry = {
      conversationId,
      seq,
      pending,
      pendingDirty: false,
      sentSinceUpdate: this.repo.sentSinceSelfUpdate(conversationId),
      // Sends kept inside meta before migration 0014 are moved to rows, and
      // meta rewritten without them, on the next write.
      written: legacy ? { ...seq.revisions, meta: -1 } : seq.revisions,
      writtenUnsettled: legacy ? 0 : stored,
      stalledSince: null,
      stalledEpoch: 0,
      stored: state,
    };
    this.cache.set(conversationId, entry);
    return entry;
  }

  /**
   * Conversations with work waiting for time to pass: an epoch not accepted
   * yet, queued changes, proposals to commit (from the database after a
   * restart, and among the cached ones).
   */
  waiting(): number[] {
    const rows = this.repo.waiting();
    const busy = [...this.cache.values()]
      .filter(
        (e) =>
          !e.seq.accepted ||
          e.pending.queued.length > 0 ||
          e.pending.proposalsSeenAt !== null ||
          (e.seq.state.active && e.seq.state.pendingProposals > 0),
      )
      .map((e) => e.conversationId);
    return [...new Set([...rows, ...busy])];
  }

  /** The sequencers in memory now. */
  cached(): SequencerEntry[] {
    return [...this.cache.values()];
  }

  /** Forgets the in-memory copy (after a failed or rolled-back transaction): the next get() reloads. */
  drop(conversationId?: number): void {
    if (conversationId === undefined) this.cache.clear();
    else this.cache.delete(conversationId);
  }

  /**
   * Persists what changed in `entry` (state, sequencer parts, pending work)
   * and runs `writeRows` in the same transaction. On failure the entry is
   * dropped and the error rethrown: nothing was stored.
   */
  persist<T>(entry: SequencerEntry, writeRows: () => T, options: { refreshedOwnKeys?: boolean } = {}): T {
    const { seq } = entry;
    const state = seq.state;
    const revs = seq.revisions;
    const unsettledCount = seq.unsettledSends.length;
    // The caller's rows first: they may change the pending work (a lost
    // commit queued again, a backlog frame, a released Welcome), and that
    // must be written in this same transaction. Written before them, the
    // change stayed in memory only and a restart forgot it (a lost rename
    // never made again, docs/protocol.md §10).
    const writeParts = () => {
      const rows = writeRows();
      this.writeParts(entry, revs);
      return rows;
    };
    let result: T;
    try {
      if (state !== entry.stored || options.refreshedOwnKeys) {
        result = this.mls.commit(
          entry.conversationId,
          {
            state,
            // The sequencer wipes what its steps consumed itself (it defers
            // wipes while a previous state shares those secrets).
            wipeConsumed: () => undefined,
            refreshedOwnKeys: options.refreshedOwnKeys ?? false,
          },
          writeParts,
        );
      } else {
        result = this.repo.transaction(writeParts);
      }
    } catch (err) {
      this.drop(entry.conversationId);
      throw err;
    }
    entry.stored = state;
    entry.written = revs;
    entry.writtenUnsettled = unsettledCount;
    entry.pendingDirty = false;
    if (options.refreshedOwnKeys) entry.sentSinceUpdate = 0;
    return result;
  }

  private writeParts(entry: SequencerEntry, revs: SequencerRevisions): void {
    const { seq, written } = entry;
    this.writeUnsettled(entry, revs);
    const meta = revs.meta !== written.meta;
    const log = revs.log !== written.log;
    const previous = revs.previous !== written.previous;
    const welcome = revs.welcome !== written.welcome;
    if (!meta && !log && !previous && !welcome && !entry.pendingDirty) return;
    const parts: Parameters<SequencerRepository['write']>[1] = {};
    if (meta) parts.meta = seq.metaBytes();
    if (log) parts.log = seq.logBytes();
    if (previous) parts.previous = seq.previousState?.serialize() ?? null;
    if (welcome) parts.welcome = seq.welcomeBytes();
    if (entry.pendingDirty) parts.pending = encodePending(entry.pending);
    this.repo.write(entry.conversationId, parts, this.now());
  }

  /**
   * Unsettled sends are append-only between two clears (SequencerRevisions.
   * unsettled): a send adds one row instead of rewriting every earlier one.
   */
  private writeUnsettled(entry: SequencerEntry, revs: SequencerRevisions): void {
    const sends = entry.seq.unsettledSends;
    const id = entry.conversationId;
    let from = entry.writtenUnsettled;
    if (revs.unsettled !== entry.written.unsettled || from > sends.length) {
      if (from > 0 || revs.unsettled !== entry.written.unsettled) {
        this.repo.clearUnsettled(id);
      }
      from = 0;
    }
    if (from === sends.length) return;
    for (let i = from; i < sends.length; i++) {
      const m = sends[i];
      if (m) this.repo.putUnsettled(id, i, m);
    }
  }
}
