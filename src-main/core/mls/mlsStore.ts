import type { ClientState, SecretTree } from 'ts-mls';
import { encode } from 'ts-mls/codec/tlsEncoder.js';
import { decodeSecretTreeNode, secretTreeNodeEncoder } from 'ts-mls/secretTree.js';
import { ParleyError } from '../errors';
import type { MlsGroupRepository, StoredRatchet } from '../store/repositories/mlsGroupRepository';
import type { Transactor } from '../store/transactor';
import { MlsGroupState, parentState, unwrapState, wrapState } from './groupState';
import type { JoinOutcome } from './join';
import type { KeyPackagePool } from './keyPackagePool';

/**
 * Group states at rest in `mls_groups`, written in the same SQLite
 * transaction as the message rows they produced, before anything is
 * acknowledged or sent (DESIGN.md §1 rule 6). A crash before the commit
 * leaves the previous state and no rows: reprocessing the same message
 * gives the same result. A crash after it leaves both: the same message
 * again is a replay (its key is used), never a second, different state.
 *
 * Large groups: the whole state of a 1,000-member X-Wing group is a few
 * megabytes, and every message changes one secret-tree node in it (the
 * sender's ratchet, RFC 9420 §9). When the new state differs from the one
 * last stored by this store only in secret-tree nodes, only those nodes are
 * written, to `mls_ratchets`; loading applies them over the stored state.
 * Anything else (a new epoch, a proposal) writes the whole state and clears
 * the journal.
 */

export interface Persistable {
  readonly state: MlsGroupState;
  wipeConsumed(): void;
  /** A commit that carried this device's UpdatePath (records the self-update time). */
  readonly refreshedOwnKeys?: boolean;
}

const encodeNode = encode(secretTreeNodeEncoder);

/** Secret-tree nodes of `next` that are not the very objects of `prev`, per epoch; null if more changed. */
function ratchetDelta(prev: ClientState, next: ClientState): Map<bigint, Map<number, Uint8Array>> | null {
  if (
    prev.groupContext !== next.groupContext ||
    prev.keySchedule !== next.keySchedule ||
    prev.ratchetTree !== next.ratchetTree ||
    prev.privatePath !== next.privatePath ||
    prev.signaturePrivateKey !== next.signaturePrivateKey ||
    prev.unappliedProposals !== next.unappliedProposals ||
    prev.confirmationTag !== next.confirmationTag ||
    prev.groupActiveState !== next.groupActiveState ||
    prev.historicalReceiverData.size !== next.historicalReceiverData.size
  ) {
    return null;
  }
  const delta = new Map<bigint, Map<number, Uint8Array>>();
  const diff = (epoch: bigint, a: SecretTree, b: SecretTree): boolean => {
    if (a.length !== b.length) return false;
    const changed = new Map<number, Uint8Array>();
    for (let i = 0; i < b.length; i++) {
      const node = b[i];
      if (node === a[i]) continue;
      if (!node) return false;
      changed.set(i, encodeNode(node));
    }
    if (changed.size > 0) delta.set(epoch, changed);
    return true;
  };
  if (!diff(next.groupContext.epoch, prev.secretTree, next.secretTree)) return null;
  for (const [epoch, b] of next.historicalReceiverData) {
    const a = prev.historicalReceiverData.get(epoch);
    if (
      !a ||
      a.ratchetTree !== b.ratchetTree ||
      a.groupContext !== b.groupContext ||
      a.senderDataSecret !== b.senderDataSecret ||
      a.resumptionPsk !== b.resumptionPsk ||
      !diff(epoch, a.secretTree, b.secretTree)
    ) {
      return null;
    }
  }
  return delta;
}

export class MlsStore {
  /** Per conversation: the state object whose content is exactly what the database holds. */
  private readonly stored = new Map<number, MlsGroupState>();
  /**
   * Per conversation: the state written last inside delivery's open batch
   * transaction (group commit), on disk only once the batch commits. Lets
   * each message of a batch write just its ratchet like a lone one, rather
   * than the whole state per message.
   */
  private readonly provisional = new Map<number, MlsGroupState>();
  private batchOpen = false;

  constructor(
    private readonly groups: MlsGroupRepository,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored state of a conversation's group, or null. */
  load(conversationId: number): MlsGroupState | null {
    const stored = this.groups.state(conversationId);
    if (!stored) return null;
    let state = MlsGroupState.deserialize(new Uint8Array(stored));
    const journal = this.groups.journal(conversationId);
    if (journal.length > 0) state = applyJournal(state, journal);
    this.stored.set(conversationId, state);
    return state;
  }

  /** Which conversation a group belongs to (to route an incoming message), or null. */
  conversationOf(groupId: Uint8Array): number | null {
    return this.groups.conversationOf(groupId);
  }

  /**
   * Writes a state. Inside a transaction of the caller's (so its message
   * rows commit with it), this always writes the whole state; commit() is
   * the one that can write just the changed ratchets.
   */
  save(conversationId: number, state: MlsGroupState, options: { refreshedOwnKeys?: boolean } = {}): void {
    this.stored.delete(conversationId);
    this.provisional.delete(conversationId);
    this.writeSnapshot(conversationId, state, options.refreshedOwnKeys ?? false);
  }

  /**
   * Stores an outcome's new state and the caller's rows in one transaction,
   * then wipes the secrets the step consumed. Returns what writeRows returns.
   * If anything throws, nothing is stored and the outcome may be retried.
   */
  commit(conversationId: number, outcome: Persistable): void;
  commit<T>(conversationId: number, outcome: Persistable, writeRows: () => T): T;
  commit<T>(conversationId: number, outcome: Persistable, writeRows?: () => T): T | undefined {
    const nested = this.tx.active;
    // Inside delivery's batch the database (as this transaction sees it)
    // holds the batch's last write; inside any other outer transaction we
    // cannot know whether it will commit, so only a whole state is safe.
    const inBatch = nested && this.batchOpen;
    const previous = inBatch
      ? (this.provisional.get(conversationId) ?? this.stored.get(conversationId))
      : this.stored.get(conversationId);
    const result = this.tx.run(() => {
      const parent = parentState(outcome.state);
      const delta =
        (!nested || inBatch) && previous && parent === previous && !outcome.refreshedOwnKeys
          ? ratchetDelta(unwrapState(previous), unwrapState(outcome.state))
          : null;
      if (delta) this.writeDelta(conversationId, outcome.state, delta);
      else this.writeSnapshot(conversationId, outcome.state, outcome.refreshedOwnKeys ?? false);
      return writeRows?.();
    });
    // Only a committed top-level transaction is known to be on disk; a
    // batch's writes are once batchEnded(true) says so.
    if (inBatch) this.provisional.set(conversationId, outcome.state);
    else if (nested) this.stored.delete(conversationId);
    else this.stored.set(conversationId, outcome.state);
    outcome.wipeConsumed();
    return result;
  }

  /** Delivery opened a batch transaction (group commit; InboundSink.batchStarted). */
  batchStarted(): void {
    this.provisional.clear();
    this.batchOpen = true;
  }

  /**
   * Delivery's batch transaction ended. Committed: what was written in it is
   * on disk. Rolled back: it is not, and the states written before it in
   * memory are not known to match the database either, so they reload.
   */
  batchEnded(committed: boolean): void {
    for (const [id, state] of this.provisional) {
      if (committed) this.stored.set(id, state);
      else this.stored.delete(id);
    }
    this.provisional.clear();
    this.batchOpen = false;
  }

  /**
   * Stores a group joined by Welcome and deletes the used KeyPackage's
   * private keys in the same transaction (RFC 9420 §16.8).
   */
  commitJoin(
    conversationId: number,
    outcome: JoinOutcome,
    pool: KeyPackagePool,
    keyPackageRef: Uint8Array,
  ): void;
  commitJoin<T>(
    conversationId: number,
    outcome: JoinOutcome,
    pool: KeyPackagePool,
    keyPackageRef: Uint8Array,
    writeRows: () => T,
  ): T;
  commitJoin<T>(
    conversationId: number,
    outcome: JoinOutcome,
    pool: KeyPackagePool,
    keyPackageRef: Uint8Array,
    writeRows?: () => T,
  ): T | undefined {
    return this.commit(conversationId, { ...outcome, refreshedOwnKeys: true }, () => {
      pool.consume(keyPackageRef);
      return writeRows?.();
    });
  }

  /** Conversations whose own keys were last refreshed more than maxAgeMs ago (periodic self-update). */
  dueForSelfUpdate(maxAgeMs: number): number[] {
    return this.groups.refreshedBefore(this.now() - maxAgeMs);
  }

  /** Bytes at rest for a group: the stored state and the ratchet journal. */
  sizeOf(conversationId: number): { state: number; journal: number; journalRows: number } {
    return this.groups.sizeOf(conversationId);
  }

  private writeSnapshot(conversationId: number, state: MlsGroupState, refreshed: boolean): void {
    const now = this.now();
    const existing = this.groups.groupIdOf(conversationId);
    const groupId = Buffer.from(state.groupId);
    if (existing && !existing.equals(groupId)) {
      throw new ParleyError('INVALID_STATE', 'This conversation belongs to another MLS group.');
    }
    this.groups.putState({
      conversationId,
      groupId,
      epoch: state.epoch,
      state: state.serialize(),
      now,
      refreshed,
    });
  }

  private writeDelta(
    conversationId: number,
    state: MlsGroupState,
    delta: Map<bigint, Map<number, Uint8Array>>,
  ): void {
    this.groups.putRatchets(conversationId, delta);
    // Checked by reading, not by touching updated_at: rewriting the row would
    // rewrite the whole stored state (kilobytes, overflow pages) per message.
    // updated_at is the time of the last whole-state write.
    const epoch = this.groups.epochOf(conversationId);
    if (epoch === null || epoch !== state.epoch)
      throw new ParleyError('INTERNAL', 'The stored MLS state is not the one this step started from.');
  }
}

function applyJournal(state: MlsGroupState, rows: readonly StoredRatchet[]): MlsGroupState {
  const c = unwrapState(state);
  const trees = new Map<bigint, SecretTree>();
  const treeOf = (epoch: bigint): SecretTree | null => {
    let tree = trees.get(epoch);
    if (!tree) {
      const base =
        epoch === c.groupContext.epoch ? c.secretTree : c.historicalReceiverData.get(epoch)?.secretTree;
      if (!base) return null;
      tree = base.slice();
      trees.set(epoch, tree);
    }
    return tree;
  };
  for (const row of rows) {
    const decoded = decodeSecretTreeNode(new Uint8Array(row.state), 0);
    const tree = treeOf(BigInt(row.epoch));
    if (!decoded || decoded[1] !== row.state.length || !tree || row.node < 0 || row.node >= tree.length) {
      throw new ParleyError('DATABASE_CORRUPT', 'A stored MLS ratchet is damaged.');
    }
    tree[row.node] = decoded[0];
  }
  const historical = new Map(c.historicalReceiverData);
  for (const [epoch, data] of historical) {
    const tree = trees.get(epoch);
    if (tree) historical.set(epoch, { ...data, secretTree: tree });
  }
  return wrapState(
    { ...c, secretTree: trees.get(c.groupContext.epoch) ?? c.secretTree, historicalReceiverData: historical },
    null,
  );
}
