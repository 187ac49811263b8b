import { randomBytes } from 'node:crypto';
import {
  createApplicationMessage,
  createCommit,
  createGroup as mlsCreateGroup,
  createProposal,
  type ClientState,
  type Proposal,
  type ProposalWithSender,
  type UnappliedProposals,
} from 'ts-mls';
import { ParleyError } from '../errors';
import { leafIdentity, type MlsDeviceIdentity } from './credentials';
import {
  addProposals,
  addsRemovedDevice,
  contextProposal,
  currentMetadata,
  headsToPin,
  metadataProposal,
} from './commitProposals';
import { directoryFor, ownSignatureKey, verifying } from './deviceDirectory';
import {
  encodeRemovalHeads,
  MAX_NAME_BYTES,
  type PinnedHead,
  type PinnedHeads,
  metadataExtension,
  requiredCapabilitiesExtension,
  type GroupKind,
  type GroupMetadata,
  type Role,
} from './extensions';
import { parleyClientConfig, suiteNameOf, unwrapState, wrapState, type MlsGroupState } from './groupState';
import { deviceKeyPackage } from './keyPackages';
import { checkCommit, checkProposal, policyView, type PolicyView } from './rolePolicy';
import { wiper, type CommitOutcome, type EncryptOutcome, type ProposalOutcome } from './stepOutcomes';
import { DEFAULT_SUITE, suiteImpl, type MlsSuiteName } from './suites';
import { encodeMessage, encodeTree, encodeWelcome } from './wire';

/**
 * What this device does to a group: create it, commit membership and
 * metadata changes, propose, update its own keys, encrypt. Every function
 * takes a state value and returns a new one; the input is never modified
 * (DESIGN.md §1 rule 6). Persist the new state (mlsStore.ts) before sending
 * anything it produced, then call wipeConsumed().
 */

// What a step gives back (stepOutcomes.ts), named here too for the callers.
export {
  wiper,
  type CommitOutcome,
  type Consumed,
  type EncryptOutcome,
  type ProposalOutcome,
} from './stepOutcomes';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function validateName(name: string): void {
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new ParleyError('INVALID_PARAMS', `A group name is at most ${MAX_NAME_BYTES} bytes.`);
  }
}

// --- creating ---------------------------------------------------------------

export interface CreateGroupOptions {
  kind?: GroupKind;
  name?: string;
  suite?: MlsSuiteName;
  /** Random 32 bytes unless given. */
  groupId?: Uint8Array;
  now?: number;
}

/** A group with this device as its only member and its user as owner (RFC 9420 §11). */
export async function createGroup(
  device: MlsDeviceIdentity,
  options: CreateGroupOptions = {},
): Promise<MlsGroupState> {
  const name = options.name ?? '';
  validateName(name);
  const impl = await suiteImpl(options.suite ?? DEFAULT_SUITE);
  const meta: GroupMetadata = {
    kind: options.kind ?? 'group',
    name,
    roles: new Map([[hex(device.identityKey), 'owner']]),
  };
  const { publicPackage, privatePackage } = await deviceKeyPackage(
    device,
    impl,
    [],
    options.now ?? Date.now(),
  );
  const client = await mlsCreateGroup(
    options.groupId ?? new Uint8Array(randomBytes(32)),
    publicPackage,
    privatePackage,
    [requiredCapabilitiesExtension(), metadataExtension(meta)],
    impl,
    parleyClientConfig,
  );
  privatePackage.initPrivateKey.fill(0);
  return wrapState(client, null);
}

/**
 * A direct conversation: a group of two people (DESIGN.md §2) whose two
 * users are both admins, so either can add and remove their own devices.
 * `keyPackages` are the other person's devices and this person's other
 * devices (docs/protocol.md §13.6), all added in the first commit. Returns
 * that commit; send its Welcome once the state is stored.
 */
export async function startDm(
  device: MlsDeviceIdentity,
  keyPackages: Uint8Array | readonly Uint8Array[],
  options: Omit<CreateGroupOptions, 'kind' | 'name'> = {},
): Promise<CommitOutcome> {
  const group = await createGroup(device, { ...options, kind: 'dm' });
  return addMembers(group, keyPackages instanceof Uint8Array ? [keyPackages] : keyPackages);
}

// --- commits ----------------------------------------------------------------

function viewOf(c: ClientState): PolicyView {
  const view = policyView(c);
  if (!view) throw new ParleyError('INVALID_STATE', 'The group has no Parley metadata.');
  return view;
}

/**
 * States that already produced an outgoing message. Every outgoing message
 * consumes a key of this device's ratchet (RFC 9420 §9.1); producing a
 * second one from the same state would reuse that key and nonce with other
 * content. A state reloaded from the database is a new value and allowed
 * (the message produced before a failed save was never sent).
 */
const spent = new WeakSet<MlsGroupState>();

function assertUnspent(state: MlsGroupState): void {
  if (spent.has(state)) {
    throw new ParleyError(
      'INVALID_STATE',
      'This group state already produced a message; continue from the state returned with it (or reload it).',
    );
  }
}

function requireActive(c: ClientState): void {
  if (c.groupActiveState.kind !== 'active') {
    throw new ParleyError('INVALID_STATE', 'This device is no longer a member of the group.');
  }
}

function addedIdentities(proposals: readonly ProposalWithSender[]): string[] {
  const out: string[] = [];
  for (const { proposal } of proposals) {
    if (proposal.proposalType !== 'add') continue;
    const id = leafIdentity(proposal.add.keyPackage.leafNode.credential);
    if (id) out.push(id.user);
  }
  return out;
}

/** A commit cannot remove its own sender (RFC 9420 §12.2); such a proposal waits for another member. */
function removesCommitter(p: ProposalWithSender, me: number): boolean {
  return p.proposal.proposalType === 'remove' && p.proposal.remove.removed === me;
}

function touchedLeaf(p: ProposalWithSender): number | undefined {
  if (p.proposal.proposalType === 'remove') return p.proposal.remove.removed;
  if (p.proposal.proposalType === 'update') return p.senderLeafIndex;
  return undefined;
}

/**
 * Commits `extra` plus the pending proposals this device may commit (RFC
 * 9420 §12.2 lets a committer leave some out). Pending proposals that
 * conflict with `extra` (same leaf removed or updated twice, a second
 * GroupContextExtensions) are left out: ours are built on the current state.
 */
async function commit(
  state: MlsGroupState,
  proposals: readonly Proposal[],
  options: { includePending: boolean; removalHeads?: PinnedHeads },
): Promise<CommitOutcome> {
  const claimed = options.removalHeads ?? new Map<string, PinnedHead>();
  const c = unwrapState(state);
  requireActive(c);
  const impl = await suiteImpl(suiteNameOf(state));
  const view = viewOf(c);
  const me = c.privatePath.leafIndex;
  const extra = [...proposals];
  const ours: ProposalWithSender[] = extra.map((proposal) => ({ proposal, senderLeafIndex: me }));
  const oursTouch = new Set(ours.map(touchedLeaf).filter((l) => l !== undefined));
  const oursChangeMetadata = extra.some((p) => p.proposalType === 'group_context_extensions');

  const pending: UnappliedProposals = {};
  if (options.includePending) {
    for (const [ref, p] of Object.entries(c.unappliedProposals)) {
      if (removesCommitter(p, me)) continue;
      // §13.6: this device adds no device it holds as removed, whoever proposed it.
      if (addsRemovedDevice(c, p.proposal)) continue;
      const leaf = touchedLeaf(p);
      if (leaf !== undefined && oursTouch.has(leaf)) continue;
      if (oursChangeMetadata && p.proposal.proposalType === 'group_context_extensions') continue;
      // No GroupContextExtensions with an UpdatePath in one commit (extensions.ts says why).
      if (
        oursChangeMetadata &&
        (p.proposal.proposalType === 'remove' || p.proposal.proposalType === 'update')
      )
        continue;
      if (checkCommit(view, me, [p], addedIdentities([p]), claimed) !== null) continue;
      pending[ref] = p;
    }
  }
  // Roles of users who leave are not dropped in the commit that removes them: a
  // Remove needs an UpdatePath, which cannot share a commit with a
  // GroupContextExtensions (extensions.ts); addMembers drops a stale role instead.
  const all = [...Object.values(pending), ...ours];
  const refusal = checkCommit(view, me, all, addedIdentities(all), claimed);
  if (refusal) throw new ParleyError('INVALID_STATE', `Not allowed: ${refusal}.`);

  assertUnspent(state);
  let r: Awaited<ReturnType<typeof createCommit>>;
  try {
    r = await createCommit(
      { state: { ...verifying(c, []), unappliedProposals: pending }, cipherSuite: impl },
      {
        extraProposals: extra,
        ...(claimed.size > 0 ? { authenticatedData: encodeRemovalHeads(claimed) } : {}),
      },
    );
  } catch (err) {
    throw new ParleyError(
      'INVALID_PARAMS',
      `The change is not valid in this group: ${err instanceof Error ? err.message : String(err)}.`,
      {
        cause: err,
      },
    );
  }
  spent.add(state);
  const next = wrapState({ ...r.newState, clientConfig: c.clientConfig }, state);
  const ownLeafNode = 2 * me;
  return {
    state: next,
    commit: encodeMessage(r.commit),
    welcome: r.welcome ? encodeWelcome(r.welcome) : null,
    refreshedOwnKeys: r.newState.ratchetTree[ownLeafNode] !== c.ratchetTree[ownLeafNode],
    wipeConsumed: wiper(r.consumed),
  };
}

/**
 * Adds devices by their KeyPackages (MLSMessage bytes), in one commit. In a
 * DM a new user becomes admin in the same commit (both users of a DM are).
 */
export async function addMembers(
  state: MlsGroupState,
  keyPackages: readonly Uint8Array[],
): Promise<CommitOutcome> {
  if (keyPackages.length === 0) throw new ParleyError('INVALID_PARAMS', 'No KeyPackage to add.');
  const c = unwrapState(state);
  const { proposals, users, devices } = addProposals(c, keyPackages);
  const meta = currentMetadata(c);
  // A user added again starts as a member: a role left from before (users
  // who left keep theirs until now, see commit()) goes in this commit.
  const present = new Set(state.members.map((m) => hex(m.identityKey)));
  const next = new Map([...meta.roles].filter(([u]) => present.has(u) || !users.includes(u)));
  if (meta.kind === 'dm') for (const u of users) if (!next.has(u)) next.set(u, 'admin');
  const changed = next.size !== meta.roles.size || [...next].some(([u, r]) => meta.roles.get(u) !== r);
  const roles = changed ? next : null;
  // §13.6: linked devices come with their person's head pinned, in the same one GCE proposal.
  const heads = headsToPin(c, devices);
  if (roles || heads.size > 0)
    proposals.push(contextProposal(c, { ...(roles ? { meta: { ...meta, roles } } : {}), heads }));
  return commit(state, proposals, { includePending: true });
}

/**
 * Removes other devices of this device's own person (revocation, §13.8), at
 * the own head held here, so any member may commit it whatever its role (§13.6).
 */
export async function removeOwnDevices(
  state: MlsGroupState,
  peerIds: readonly string[],
): Promise<CommitOutcome> {
  const c = unwrapState(state);
  const own = state.self;
  const wanted = new Set(peerIds);
  const leaves = state.members
    .filter((m) => !m.isSelf && wanted.has(m.peerId) && hex(m.identityKey) === hex(own.identityKey))
    .map((m) => m.leafIndex);
  if (leaves.length === 0) throw new ParleyError('INVALID_PARAMS', 'None of those devices is in the group.');
  const head = directoryFor(ownSignatureKey(c))?.headOf(own.identityKey);
  const proposals: Proposal[] = leaves.map((removed) => ({ proposalType: 'remove', remove: { removed } }));
  // That head rides in authenticated_data, not 0xFA03 (extensions.ts says why).
  return commit(state, proposals, {
    includePending: false,
    ...(head
      ? {
          removalHeads: new Map([[hex(own.identityKey), { seq: head.seq, hash: new Uint8Array(head.hash) }]]),
        }
      : {}),
  });
}

/**
 * Removes every device of these users (their leaves, RFC 9420 §12.1.3) and
 * their roles. This device's own leaf cannot be removed by its own commit:
 * use leave().
 */
export async function removeMembers(
  state: MlsGroupState,
  identityKeys: readonly Uint8Array[],
): Promise<CommitOutcome> {
  const c = unwrapState(state);
  const targets = new Set(identityKeys.map(hex));
  const leaves = state.members
    .filter((m) => targets.has(hex(m.identityKey)) && !m.isSelf)
    .map((m) => m.leafIndex);
  if (state.members.some((m) => m.isSelf && targets.has(hex(m.identityKey))) && leaves.length === 0) {
    throw new ParleyError('INVALID_PARAMS', 'To leave the group, use leave().');
  }
  return removeLeaves(state, leaves, c);
}

/** Removes devices by leaf index (another device of a user, a stale leaf). */
export async function removeDevices(
  state: MlsGroupState,
  leafIndexes: readonly number[],
): Promise<CommitOutcome> {
  return removeLeaves(state, leafIndexes, unwrapState(state));
}

async function removeLeaves(
  state: MlsGroupState,
  leafIndexes: readonly number[],
  c: ClientState,
): Promise<CommitOutcome> {
  if (leafIndexes.length === 0) throw new ParleyError('INVALID_PARAMS', 'Nobody to remove.');
  const me = c.privatePath.leafIndex;
  const byLeaf = new Map(state.members.map((m) => [m.leafIndex, m]));
  for (const l of leafIndexes) {
    if (l === me) throw new ParleyError('INVALID_PARAMS', 'To leave the group, use leave().');
    if (!byLeaf.has(l)) throw new ParleyError('INVALID_PARAMS', `Leaf ${l} is not a member.`);
  }
  const proposals: Proposal[] = [...new Set(leafIndexes)].map((removedLeaf) => ({
    proposalType: 'remove',
    remove: { removed: removedLeaf },
  }));
  return commit(state, proposals, { includePending: true });
}

export async function rename(state: MlsGroupState, name: string): Promise<CommitOutcome> {
  validateName(name);
  const c = unwrapState(state);
  return commit(state, [metadataProposal(c, { ...currentMetadata(c), name })], { includePending: true });
}

/** Gives a user a role; 'owner' hands ownership over (the current owner becomes admin). */
export async function setRole(
  state: MlsGroupState,
  identityKey: Uint8Array,
  role: Role,
): Promise<CommitOutcome> {
  const c = unwrapState(state);
  const meta = currentMetadata(c);
  const id = hex(identityKey);
  if (!state.members.some((m) => hex(m.identityKey) === id)) {
    throw new ParleyError('INVALID_PARAMS', 'That user is not a member of the group.');
  }
  const roles = new Map(meta.roles);
  if (role === 'owner') {
    for (const [k, r] of roles) if (r === 'owner') roles.set(k, 'admin');
  }
  if (role === 'member') roles.delete(id);
  else roles.set(id, role);
  return commit(state, [metadataProposal(c, { ...meta, roles })], { includePending: true });
}

/**
 * An empty commit with a fresh UpdatePath (RFC 9420 §12.4): new keys for
 * this device's leaf and path, so a past compromise of its state stops
 * mattering (post-compromise security). Pending proposals are not
 * included, so the path is always sent; commit them with commitPending().
 */
export async function selfUpdate(state: MlsGroupState): Promise<CommitOutcome> {
  return commit(state, [], { includePending: false });
}

/** Commits the pending proposals this device may commit, or returns null when there are none. */
export async function commitPending(state: MlsGroupState): Promise<CommitOutcome | null> {
  const c = unwrapState(state);
  const view = viewOf(c);
  const me = c.privatePath.leafIndex;
  const allowed = Object.values(c.unappliedProposals).filter(
    (p) =>
      !removesCommitter(p, me) &&
      !addsRemovedDevice(c, p.proposal) &&
      checkCommit(view, me, [p], addedIdentities([p])) === null,
  );
  if (allowed.length === 0) return null;
  return commit(state, [], { includePending: true });
}

/**
 * The ratchet tree of a state (RFC 9420 §12.4.3.3), which a joiner needs
 * beside the Welcome: public keys and credentials, no secrets. Exported on
 * demand rather than with every add, since at 1,000 X-Wing members it is
 * ~1.5 MB and is needed only when the Welcome is released. The joiner checks
 * it against the tree hash the Welcome authenticates.
 */
export function exportRatchetTree(state: MlsGroupState): Uint8Array {
  return encodeTree(unwrapState(state).ratchetTree);
}

// --- proposals --------------------------------------------------------------

async function propose(state: MlsGroupState, proposal: Proposal): Promise<ProposalOutcome> {
  const c = unwrapState(state);
  requireActive(c);
  const refusal = checkProposal(viewOf(c), c.privatePath.leafIndex, proposal);
  if (refusal) throw new ParleyError('INVALID_STATE', `Not allowed: ${refusal}.`);
  const impl = await suiteImpl(suiteNameOf(state));
  assertUnspent(state);
  const r = await createProposal(c, false, proposal, impl);
  spent.add(state);
  return {
    state: wrapState(r.newState, state),
    proposal: encodeMessage(r.message),
    wipeConsumed: wiper(r.consumed),
  };
}

/**
 * Leaving: a proposal to remove this device's own leaf (RFC 9420 §12.1.3; a
 * commit cannot remove its own sender, §12.2). Any member may commit it.
 */
export async function leave(state: MlsGroupState): Promise<ProposalOutcome> {
  const c = unwrapState(state);
  return propose(state, { proposalType: 'remove', remove: { removed: c.privatePath.leafIndex } });
}

/** A member's way to invite: an Add proposal that an admin commits. */
export async function proposeAdd(state: MlsGroupState, keyPackage: Uint8Array): Promise<ProposalOutcome> {
  const { proposals } = addProposals(unwrapState(state), [keyPackage]);
  const [proposal] = proposals;
  if (!proposal) throw new ParleyError('INVALID_PARAMS', 'No KeyPackage to add.');
  return propose(state, proposal);
}

// --- application messages ---------------------------------------------------

/**
 * Encrypts application data (RFC 9420 §6.3, §15). ts-mls 1.6 refuses while
 * proposals are pending; that would let any member's Add proposal silence
 * everyone until an admin commits it, so pending proposals are set aside for
 * the encryption (they do not enter the application message's keys) and
 * kept in the new state.
 */
export async function encrypt(
  state: MlsGroupState,
  plaintext: Uint8Array,
  authenticatedData: Uint8Array = new Uint8Array(0),
): Promise<EncryptOutcome> {
  const c = unwrapState(state);
  requireActive(c);
  const impl = await suiteImpl(suiteNameOf(state));
  assertUnspent(state);
  const r = await createApplicationMessage(
    { ...c, unappliedProposals: {} },
    plaintext,
    impl,
    authenticatedData,
  );
  spent.add(state);
  return {
    state: wrapState({ ...r.newState, unappliedProposals: c.unappliedProposals }, state),
    message: encodeMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: r.privateMessage,
    }),
    wipeConsumed: wiper(r.consumed),
  };
}
