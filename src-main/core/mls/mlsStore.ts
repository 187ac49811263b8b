import type { ClientState, SecretTree } from 'ts-mls';
import { encode } from 'ts-mls/codec/tlsEncoder.js';
import { decodeSecretTreeNode, secretTreeNodeEncoder } from 'ts-mls/secretTree.js';
import { ParleyError } from '../errors';
import type { Db } from '../store/encryptedDatabase';
import { prepared } from '../store/prepared';
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

interface GroupRow {
  group_id: Buffer;
  state: Buffer;
}

interface JournalRow {
  epoch: number;
  node: number;
  state: Buffer;
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
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored state of a conversation's group, or null. */
  load(conversationId: number): MlsGroupState | null {
    const row = prepared(this.db, 'SELECT group_id, state FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as GroupRow | undefined;
    if (!row) return null;
    let state = MlsGroupState.deserialize(new Uint8Array(row.state));
    const journal = prepared(
      this.db,
      'SELECT epoch, node, state FROM mls_ratchets WHERE conversation_id = ?',
    ).all(conversationId) as JournalRow[];
    if (journal.length > 0) state = applyJournal(state, journal);
    this.stored.set(conversationId, state);
    return state;
  }

  /** Which conversation a group belongs to (to route an incoming message), or null. */
  conversationOf(groupId: Uint8Array): number | null {
    const row = prepared(this.db, 'SELECT conversation_id FROM mls_groups WHERE group_id = ?').get(
      groupId,
    ) as { conversation_id: number } | undefined;
    return row?.conversation_id ?? null;
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
    const nested = this.db.inTransaction;
    // Inside delivery's batch the database (as this transaction sees it)
    // holds the batch's last write; inside any other outer transaction we
    // cannot know whether it will commit, so only a whole state is safe.
    const inBatch = nested && this.batchOpen;
    const previous = inBatch
      ? (this.provisional.get(conversationId) ?? this.stored.get(conversationId))
      : this.stored.get(conversationId);
    const result = this.db.transaction(() => {
      const parent = parentState(outcome.state);
      const delta =
        (!nested || inBatch) && previous && parent === previous && !outcome.refreshedOwnKeys
          ? ratchetDelta(unwrapState(previous), unwrapState(outcome.state))
          : null;
      if (delta) this.writeDelta(conversationId, outcome.state, delta);
      else this.writeSnapshot(conversationId, outcome.state, outcome.refreshedOwnKeys ?? false);
      return writeRows?.();
    })();
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
    const rows = prepared(
      this.db,
      `SELECT conversation_id FROM mls_groups
         WHERE coalesce(self_updated_at, 0) <= ? ORDER BY coalesce(self_updated_at, 0)`,
    ).all(this.now() - maxAgeMs) as { conversation_id: number }[];
    return rows.map((r) => r.conversation_id);
  }

  /** Bytes at rest for a group: the stored state and the ratchet journal. */
  sizeOf(conversationId: number): { state: number; journal: number; journalRows: number } {
    const s = prepared(this.db, 'SELECT length(state) AS n FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { n: number } | undefined;
    const j = prepared(
      this.db,
      'SELECT coalesce(sum(length(state)), 0) AS n, count(*) AS rows FROM mls_ratchets WHERE conversation_id = ?',
    ).get(conversationId) as { n: number; rows: number };
    return { state: s?.n ?? 0, journal: j.n, journalRows: j.rows };
  }

  private writeSnapshot(conversationId: number, state: MlsGroupState, refreshed: boolean): void {
    const now = this.now();
    const existing = prepared(this.db, 'SELECT group_id FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as Pick<GroupRow, 'group_id'> | undefined;
    const groupId = Buffer.from(state.groupId);
    if (existing && !existing.group_id.equals(groupId)) {
      throw new ParleyError('INVALID_STATE', 'This conversation belongs to another MLS group.');
    }
    prepared(
      this.db,
      `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at, self_updated_at)
         VALUES (@conversationId, @groupId, @epoch, @state, @now, CASE WHEN @refreshed THEN @now END)
         ON CONFLICT (conversation_id) DO UPDATE SET
           epoch = excluded.epoch, state = excluded.state, updated_at = excluded.updated_at,
           self_updated_at = CASE WHEN @refreshed THEN @now ELSE mls_groups.self_updated_at END`,
    ).run({
      conversationId,
      groupId,
      epoch: state.epoch,
      state: state.serialize(),
      now,
      refreshed: refreshed ? 1 : 0,
    });
    prepared(this.db, 'DELETE FROM mls_ratchets WHERE conversation_id = ?').run(conversationId);
  }

  private writeDelta(
    conversationId: number,
    state: MlsGroupState,
    delta: Map<bigint, Map<number, Uint8Array>>,
  ): void {
    const upsert = prepared(
      this.db,
      `INSERT INTO mls_ratchets (conversation_id, epoch, node, state) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, epoch, node) DO UPDATE SET state = excluded.state`,
    );
    for (const [epoch, nodes] of delta) {
      for (const [node, bytes] of nodes) upsert.run(conversationId, epoch, node, bytes);
    }
    // Checked by reading, not by touching updated_at: rewriting the row would
    // rewrite the whole stored state (kilobytes, overflow pages) per message.
    // updated_at is the time of the last whole-state write.
    const row = prepared(this.db, 'SELECT epoch FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { epoch: number } | undefined;
    if (row === undefined || row.epoch !== state.epoch)
      throw new ParleyError('INTERNAL', 'The stored MLS state is not the one this step started from.');
  }
}

function applyJournal(state: MlsGroupState, rows: readonly JournalRow[]): MlsGroupState {
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
