import {
  makePskIndex,
  processMessage as mlsProcessMessage,
  type ClientState,
  type IncomingMessageCallback,
  type LeafNode,
  type PrivateMessage,
  type ProcessMessageResult,
  type ProposalWithSender,
  type RatchetTree,
} from 'ts-mls';
import {
  CodecError,
  CryptoError,
  CryptoVerificationError,
  InternalError,
  MlsError,
  UsageError,
  ValidationError,
} from 'ts-mls/mlsError.js';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { leafIdentity } from './credentials';
import { verifying, type MissingEntries } from './deviceDirectory';
import { decodeRemovalHeads, findGroupMetadata, type GroupMetadata } from './extensions';
import { wiper, type Consumed } from './groupEngine';
import {
  memberOfLeaf,
  suiteNameOf,
  unwrapState,
  wrapState,
  type MlsGroupState,
  type MlsMember,
} from './groupState';
import { MlsRejection } from './rejection';
import { checkCommit, checkProposal, policyView } from './rolePolicy';
import { suiteImpl } from './suites';
import { decodeGroupMessage } from './wire';

/**
 * Processing one message from the group (RFC 9420 §6, §12.1, §12.4.2), with
 * Parley's checks around ts-mls: the sender must still be a member, a
 * replayed message is named as such, and the role rules (rolePolicy.ts) are
 * applied to every proposal and commit before it is accepted. The input
 * state is never modified; on any rejection the caller simply keeps it.
 */

export type ProposalSummary =
  | { readonly type: 'add'; readonly identityKey: Uint8Array; readonly peerId: string }
  | { readonly type: 'remove'; readonly leafIndex: number; readonly selfRemoval: boolean }
  | { readonly type: 'update' }
  | { readonly type: 'metadata'; readonly name: string };

export interface CommitChanges {
  readonly added: readonly MlsMember[];
  readonly removed: readonly MlsMember[];
  /** Leaves whose keys were refreshed (Update proposals, the committer's path). */
  readonly updated: readonly number[];
  readonly renamed: boolean;
  readonly rolesChanged: boolean;
  /** This device was removed: the state is now inactive. */
  readonly removedSelf: boolean;
}

export type ProcessOutcome = Consumed & { readonly state: MlsGroupState; readonly epoch: number } & (
    | {
        readonly kind: 'application';
        readonly sender: MlsMember;
        readonly plaintext: Uint8Array;
        readonly authenticatedData: Uint8Array;
      }
    | { readonly kind: 'proposal'; readonly sender: MlsMember; readonly proposal: ProposalSummary }
    | { readonly kind: 'commit'; readonly sender: MlsMember | null; readonly changes: CommitChanges }
  );

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leafAt = (tree: RatchetTree, leafIndex: number): LeafNode | undefined => {
  const n = tree[2 * leafIndex];
  return n?.nodeType === 'leaf' ? n.leaf : undefined;
};

function identityOf(leaf: LeafNode | undefined): string | undefined {
  const id = leaf ? leafIdentity(leaf.credential) : null;
  return id ? `${id.user}/${id.peerId}` : undefined;
}

function member(
  tree: RatchetTree,
  leafIndex: number,
  meta: GroupMetadata | null,
  ownLeaf: number,
): MlsMember {
  const leaf = leafAt(tree, leafIndex);
  const m = leaf ? memberOfLeaf(leaf, leafIndex, meta, ownLeaf) : null;
  if (!m) throw new MlsRejection('unknown-sender', `leaf ${leafIndex} holds no member`);
  return m;
}

/** Maps ts-mls's errors on hostile input to a reason; the message is the library's (no secrets). */
export function rejection(err: unknown): MlsRejection {
  if (err instanceof MlsRejection) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CryptoVerificationError || err instanceof CryptoError) {
    return new MlsRejection('authentication', message, { cause: err });
  }
  if (err instanceof CodecError) return new MlsRejection('malformed', message, { cause: err });
  if (err instanceof ValidationError) {
    if (/credential/i.test(message)) return new MlsRejection('uncertified', message, { cause: err });
    if (/gen in the past/i.test(message)) return new MlsRejection('replay', message, { cause: err });
    if (/could not find proposal/i.test(message))
      return new MlsRejection('missing-proposal', message, { cause: err });
    return new MlsRejection('invalid', message, { cause: err });
  }
  if (err instanceof UsageError || err instanceof InternalError || err instanceof MlsError) {
    return new MlsRejection('invalid', message, { cause: err });
  }
  // Our crypto provider throws RangeError/TypeError/OpenSSL errors on keys
  // or ciphertexts of the wrong shape, which only hostile input produces.
  return new MlsRejection('invalid', message, { cause: err });
}

/**
 * An error from a ts-mls step that judged credentials: when the verifier
 * lacked device-list entries for a version 2 credential, that is the reason
 * (`missing-entries`, docs/protocol.md §13.6), not "uncertified".
 */
export function missingOr(missing: readonly MissingEntries[], err: unknown): MlsRejection {
  if (missing.length > 0 && !(err instanceof MlsRejection)) {
    const who = missing.map((m) => `${hex(m.identityKey).slice(0, 8)}…@${m.seq}`).join(', ');
    return new MlsRejection('missing-entries', `device list entries not held yet (${who})`, {
      cause: err,
      missing,
    });
  }
  return rejection(err);
}

interface Receiver {
  senderDataSecret: Uint8Array;
  ratchetTree: RatchetTree;
  secretTree: ClientState['secretTree'];
}

/**
 * Decrypts the sender data (RFC 9420 §6.3.2) ahead of ts-mls, to name the
 * sender and to tell a replay (a generation whose key is already used,
 * §9.1) from tampering. The secret tree is not advanced here.
 */
async function precheckPrivate(
  c: ClientState,
  pm: PrivateMessage,
  receiver: Receiver,
  state: MlsGroupState,
): Promise<number> {
  const impl = await suiteImpl(suiteNameOf(state));
  let senderData: Awaited<ReturnType<typeof decryptSenderData>>;
  try {
    senderData = await decryptSenderData(pm, receiver.senderDataSecret, impl);
  } catch {
    senderData = undefined;
  }
  if (!senderData) throw new MlsRejection('authentication', 'the sender data does not decrypt');
  const leaf = senderData.leafIndex;
  if (!leafAt(receiver.ratchetTree, leaf)) throw new MlsRejection('unknown-sender', `leaf ${leaf} is empty`);
  const node = receiver.secretTree[2 * leaf];
  if (!node) throw new MlsRejection('unknown-sender', `leaf ${leaf} is outside the tree`);
  const ratchet = pm.contentType === 'application' ? node.application : node.handshake;
  if (
    senderData.generation < ratchet.generation &&
    ratchet.unusedGenerations[senderData.generation] === undefined
  ) {
    throw new MlsRejection(
      'replay',
      `message ${senderData.generation} from leaf ${leaf} was already processed`,
    );
  }
  if (pm.epoch < c.groupContext.epoch) {
    // A late message from the previous epoch is welcome, unless its sender
    // was removed since: a removed member still holds that epoch's keys.
    const senderKey = Buffer.from(leafAt(receiver.ratchetTree, leaf)?.signaturePublicKey ?? []);
    const stillMember = c.ratchetTree.some(
      (n) => n?.nodeType === 'leaf' && senderKey.equals(Buffer.from(n.leaf.signaturePublicKey)),
    );
    if (!stillMember) throw new MlsRejection('unknown-sender', 'the sender has been removed from the group');
  }
  return leaf;
}

export async function processMessage(state: MlsGroupState, bytes: Uint8Array): Promise<ProcessOutcome> {
  const msg = decodeGroupMessage(bytes);
  const c = unwrapState(state);
  if (c.groupActiveState.kind !== 'active') {
    throw new MlsRejection('not-member', 'this device is no longer a member of the group');
  }
  const header = msg.wireformat === 'mls_private_message' ? msg.privateMessage : msg.publicMessage.content;
  if (!Buffer.from(header.groupId).equals(Buffer.from(c.groupContext.groupId))) {
    throw new MlsRejection('wrong-group', 'the message is for another group');
  }
  const current = c.groupContext.epoch;
  if (header.epoch > current)
    throw new MlsRejection('future-epoch', `epoch ${header.epoch}; the group is at ${current}`);
  let receiver: Receiver = {
    senderDataSecret: c.keySchedule.senderDataSecret,
    ratchetTree: c.ratchetTree,
    secretTree: c.secretTree,
  };
  if (header.epoch < current) {
    const old = c.historicalReceiverData.get(header.epoch);
    if (header.contentType !== 'application' || !old) {
      throw new MlsRejection(
        'stale-epoch',
        `a ${header.contentType} for epoch ${header.epoch}; the group is at ${current}`,
      );
    }
    receiver = old;
  }

  let senderLeaf: number | undefined;
  if (msg.wireformat === 'mls_private_message') {
    senderLeaf = await precheckPrivate(c, msg.privateMessage, receiver, state);
  } else if (msg.publicMessage.content.sender.senderType !== 'new_member_commit') {
    // Parley frames everything as PrivateMessage; only an external commit
    // must be a PublicMessage (RFC 9420 §12.4.3.2).
    throw new MlsRejection('unsupported', 'group messages must be encrypted');
  }

  // Built only for proposals and commits: it reads every leaf, which an
  // application message (the common case) has no need for.
  const missing: MissingEntries[] = [];
  const policy = () => {
    const view = policyView(c, missing);
    if (!view) throw new MlsRejection('invalid', 'the group has no Parley metadata');
    return view;
  };
  let refusal: string | null = null;
  let committed: readonly ProposalWithSender[] = [];
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind === 'proposal') {
      refusal = checkProposal(policy(), incoming.proposal.senderLeafIndex, incoming.proposal.proposal);
    } else {
      committed = incoming.proposals;
      const added = incoming.proposals.flatMap(({ proposal }) => {
        if (proposal.proposalType !== 'add') return [];
        const id = leafIdentity(proposal.add.keyPackage.leafNode.credential);
        return id ? [id.user] : [];
      });
      refusal = checkCommit(
        policy(),
        incoming.senderLeafIndex,
        incoming.proposals,
        added,
        decodeRemovalHeads(header.authenticatedData),
      );
    }
    return refusal === null ? 'accept' : 'reject';
  };

  const impl = await suiteImpl(suiteNameOf(state));
  let result: ProcessMessageResult;
  try {
    result = await mlsProcessMessage(msg, verifying(c, missing), makePskIndex(c, {}), callback, impl);
  } catch (err) {
    if (refusal === null) {
      const replaced = replacedByOwnResync(c, msg, state, err);
      if (replaced) return replaced;
    }
    throw missingOr(missing, err);
  }
  // The verifier's authentication service was for this step only.
  result = { ...result, newState: { ...result.newState, clientConfig: c.clientConfig } };
  if (refusal !== null || (result.kind === 'newState' && result.actionTaken === 'reject')) {
    // A pinned head whose entries this member lacks: hold and fetch, as for a credential (§13.6).
    if (missing.length > 0) throw missingOr(missing, new Error(refusal ?? 'refused'));
    throw new MlsRejection('not-authorized', refusal ?? 'refused');
  }
  const next = result.newState;
  const wipeConsumed = wiper(result.consumed);
  const meta = findGroupMetadata(next.groupContext.extensions);
  const me = c.privatePath.leafIndex;

  if (result.kind === 'applicationMessage') {
    if (senderLeaf === undefined) throw new MlsRejection('invalid', 'application message without a sender');
    return {
      kind: 'application',
      state: wrapState(next, state),
      epoch: Number(header.epoch),
      sender: member(receiver.ratchetTree, senderLeaf, meta, me),
      plaintext: result.message,
      authenticatedData: header.authenticatedData,
      wipeConsumed,
    };
  }

  if (header.contentType === 'proposal') {
    // A proposal: the one new entry among the pending proposals.
    const added = Object.entries(next.unappliedProposals).find(([ref]) => !(ref in c.unappliedProposals));
    if (!added || senderLeaf === undefined)
      throw new MlsRejection('invalid', 'a proposal that changed nothing');
    return {
      kind: 'proposal',
      state: wrapState(next, state),
      epoch: Number(current),
      sender: member(c.ratchetTree, senderLeaf, meta, me),
      proposal: summarize(added[1], senderLeaf),
      wipeConsumed,
    };
  }

  const changes = commitChanges(c, next, committed, senderLeaf);
  return {
    kind: 'commit',
    state: wrapState(next, state),
    epoch: Number(next.groupContext.epoch),
    sender:
      senderLeaf === undefined
        ? null
        : member(c.ratchetTree, senderLeaf, findGroupMetadata(c.groupContext.extensions), me),
    changes,
    wipeConsumed,
  };
}

/**
 * This device's leaf was replaced by its own user's external commit: the
 * profile was restored from a backup on another machine, which rejoined and
 * removed this leaf (RFC 9420 §12.4.3.2; docs/backup-format.md). ts-mls
 * 1.6.4 marks self-removal only for member commits; for an external commit
 * it goes on to decrypt the UpdatePath, whose resolution no longer includes
 * the removed leaf, and throws. By then the commit's signature, its new
 * leaf node and Parley's role callback have all been checked, so when the
 * commit removes exactly this leaf for a new leaf of the same user, report
 * it as what it is, this device leaving the group, rather than as a broken
 * message (which would leave it believing it is still a member).
 */
function replacedByOwnResync(
  c: ClientState,
  msg: ReturnType<typeof decodeGroupMessage>,
  state: MlsGroupState,
  err: unknown,
): ProcessOutcome | null {
  if (!(err instanceof Error) || !/No overlap/i.test(err.message)) return null;
  if (msg.wireformat !== 'mls_public_message') return null;
  const content = msg.publicMessage.content;
  if (content.sender.senderType !== 'new_member_commit' || content.contentType !== 'commit') return null;
  const me = c.privatePath.leafIndex;
  const removesMe = content.commit.proposals.some(
    (p) =>
      p.proposalOrRefType === 'proposal' &&
      p.proposal.proposalType === 'remove' &&
      p.proposal.remove.removed === me,
  );
  const newLeaf = content.commit.path?.leafNode;
  const myUser = identityOf(leafAt(c.ratchetTree, me))?.split('/')[0];
  const newUser = newLeaf ? leafIdentity(newLeaf.credential)?.user : undefined;
  if (!removesMe || myUser === undefined || newUser === undefined) return null;
  if (newUser !== myUser) return null;
  const meta = findGroupMetadata(c.groupContext.extensions);
  const self = member(c.ratchetTree, me, meta, me);
  return {
    kind: 'commit',
    state: wrapState({ ...c, unappliedProposals: {}, groupActiveState: { kind: 'removedFromGroup' } }, state),
    epoch: Number(c.groupContext.epoch) + 1,
    sender: null,
    changes: {
      added: [],
      removed: [self],
      updated: [],
      renamed: false,
      rolesChanged: false,
      removedSelf: true,
    },
    wipeConsumed: () => undefined,
  };
}

function summarize(p: ProposalWithSender, sender: number): ProposalSummary {
  const { proposal } = p;
  switch (proposal.proposalType) {
    case 'add': {
      const id = leafIdentity(proposal.add.keyPackage.leafNode.credential);
      return { type: 'add', identityKey: id?.identityKey ?? new Uint8Array(0), peerId: id?.peerId ?? '' };
    }
    case 'remove':
      return {
        type: 'remove',
        leafIndex: proposal.remove.removed,
        selfRemoval: proposal.remove.removed === sender,
      };
    case 'group_context_extensions':
      return {
        type: 'metadata',
        name: findGroupMetadata(proposal.groupContextExtensions.extensions)?.name ?? '',
      };
    default:
      return { type: 'update' };
  }
}

/**
 * What a processed commit changed, and the checks that need its result:
 * a leaf that was updated keeps its user and device (RFC 9420 §5.3.1 leaves
 * credential changes to the application; Parley allows none), and an
 * external commit may only bring back a user who is already in the group.
 */
function commitChanges(
  before: ClientState,
  after: ClientState,
  proposals: readonly ProposalWithSender[],
  committer: number | undefined,
): CommitChanges {
  const oldTree = before.ratchetTree;
  const newTree = after.ratchetTree;
  const oldMeta = findGroupMetadata(before.groupContext.extensions);
  const newMeta = findGroupMetadata(after.groupContext.extensions);
  const me = before.privatePath.leafIndex;
  const removedSelf = after.groupActiveState.kind === 'removedFromGroup';

  const removedLeaves = new Set<number>();
  const updatedLeaves = new Set<number>();
  const addedKeys = new Set<string>();
  for (const { proposal, senderLeafIndex } of proposals) {
    if (proposal.proposalType === 'remove') removedLeaves.add(proposal.remove.removed);
    if (proposal.proposalType === 'update' && senderLeafIndex !== undefined)
      updatedLeaves.add(senderLeafIndex);
    if (proposal.proposalType === 'add')
      addedKeys.add(hex(proposal.add.keyPackage.leafNode.signaturePublicKey));
  }
  if (committer !== undefined && leafAt(newTree, committer) !== leafAt(oldTree, committer))
    updatedLeaves.add(committer);
  for (const leaf of updatedLeaves) {
    if (removedLeaves.has(leaf)) continue;
    if (identityOf(leafAt(oldTree, leaf)) !== identityOf(leafAt(newTree, leaf))) {
      throw new MlsRejection('not-authorized', `leaf ${leaf} changed to another user or device`);
    }
  }

  const added: MlsMember[] = [];
  const joined: number[] = [];
  for (let node = 0; node < newTree.length; node += 2) {
    const leaf = leafAt(newTree, node / 2);
    if (!leaf) continue;
    const old = leafAt(oldTree, node / 2);
    if (old && !removedLeaves.has(node / 2)) continue;
    if (addedKeys.has(hex(leaf.signaturePublicKey))) {
      const m = memberOfLeaf(leaf, node / 2, newMeta, me);
      if (m) added.push(m);
    } else {
      joined.push(node / 2);
    }
  }
  if (committer === undefined) {
    // External commit: exactly one new leaf, replacing leaves of the same user.
    const [joiner] = joined;
    const joinerUser = joiner === undefined ? undefined : identityOf(leafAt(newTree, joiner))?.split('/')[0];
    const resync =
      joined.length === 1 &&
      removedLeaves.size > 0 &&
      [...removedLeaves].every((l) => identityOf(leafAt(oldTree, l))?.split('/')[0] === joinerUser);
    if (!resync) throw new MlsRejection('not-authorized', 'an external commit may only re-join a member');
  }

  const removed = [...removedLeaves].flatMap((l) => {
    const leaf = leafAt(oldTree, l);
    const m = leaf ? memberOfLeaf(leaf, l, oldMeta, me) : null;
    return m ? [m] : [];
  });
  const rolesKey = (m: GroupMetadata | null) =>
    m
      ? [...m.roles]
          .sort()
          .map(([k, r]) => `${k}:${r}`)
          .join(',')
      : '';
  return {
    added,
    removed,
    updated: [...updatedLeaves].filter((l) => !removedLeaves.has(l)).sort((a, b) => a - b),
    renamed: oldMeta?.name !== newMeta?.name,
    rolesChanged: rolesKey(oldMeta) !== rolesKey(newMeta),
    removedSelf,
  };
}
