import {
  decodeGroupState,
  defaultKeyPackageEqualityConfig,
  defaultPaddingConfig,
  encodeGroupState,
  type ClientConfig,
  type ClientState,
  type LeafNode,
  type RatchetTree,
} from 'ts-mls';
import { ParleyError } from '../errors';
import { leafIdentity, parleyAuthService } from './credentials';
import { findGroupMetadata, roleOf, type GroupKind, type GroupMetadata, type Role } from './extensions';
import { suiteById, suiteFromMlsName, type MlsSuiteInfo, type MlsSuiteName } from './suites';

/**
 * How ts-mls is configured for every Parley group.
 *
 * retainKeysForEpochs: 1 keeps the previous epoch's receiver secrets, so an
 * application message sent just before a commit still decrypts after it
 * (RFC 9420 §15.3 leaves the window to the application). Each retained epoch
 * carries a copy of the ratchet tree and secret tree in the state, which is
 * what state size grows with in large groups.
 *
 * retainKeysForGenerations / maximumForwardRatchetSteps bound out-of-order
 * delivery within one sender's ratchet (RFC 9420 §9.1, §15.3): up to 64
 * skipped message keys kept per sender, and a message at most 1,000
 * generations ahead is accepted (a mailbox catch-up arrives in order).
 */
export const parleyClientConfig: ClientConfig = {
  keyRetentionConfig: {
    retainKeysForGenerations: 64,
    retainKeysForEpochs: 1,
    maximumForwardRatchetSteps: 1000,
  },
  lifetimeConfig: {
    // A KeyPackage's lifetime is checked when it is added (RFC 9420 §10.1); a
    // member's original KeyPackage lifetime is not re-checked in later trees.
    maximumTotalLifetime: 2_628_000n,
    validateLifetimeOnReceive: false,
  },
  keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
  paddingConfig: defaultPaddingConfig,
  authService: parleyAuthService,
};

/** One member device (a leaf of the ratchet tree, RFC 9420 §7.1). */
export interface MlsMember {
  readonly leafIndex: number;
  /** The user's identity key (32 bytes). */
  readonly identityKey: Uint8Array;
  /** The device's PeerId. */
  readonly peerId: string;
  readonly signatureKey: Uint8Array;
  readonly role: Role;
  readonly isSelf: boolean;
}

interface Internal {
  readonly client: ClientState;
  readonly suite: MlsSuiteInfo;
  /** The state this one was derived from, for incremental persistence; null when loaded or created. */
  readonly parent: MlsGroupState | null;
}

const internals = new WeakMap<MlsGroupState, Internal>();
let construct: (i: Internal) => MlsGroupState;
const memberCache = new WeakMap<MlsGroupState, readonly MlsMember[]>();

/**
 * One member's view of one MLS group at one epoch: a value (DESIGN.md §1
 * rule 6). Operations return a new MlsGroupState and never change this one,
 * so a caller can keep the previous epoch's state (to switch to another
 * commit for the same epoch) and persist the new one before acknowledging.
 *
 * The ts-mls state inside is reachable only from this folder.
 */
export class MlsGroupState {
  private constructor() {}

  static {
    construct = (i) => {
      const s = new MlsGroupState();
      internals.set(s, i);
      return s;
    };
  }

  get groupId(): Uint8Array {
    return new Uint8Array(client(this).groupContext.groupId);
  }

  /** RFC 9420 §8.1: the epoch counts commits since the group was created. */
  get epoch(): number {
    return Number(client(this).groupContext.epoch);
  }

  /**
   * RFC 9420 §8.7: a secret every member of this epoch derives alike. Two
   * members whose authenticators differ are in different groups (a fork).
   */
  get epochAuthenticator(): Uint8Array {
    return new Uint8Array(client(this).keySchedule.epochAuthenticator);
  }

  get suite(): MlsSuiteInfo {
    return internal(this).suite;
  }

  get kind(): GroupKind {
    return this.metadata.kind;
  }

  get name(): string {
    return this.metadata.name;
  }

  /** False once a commit removed this device (RFC 9420 §12.4.2): nothing can be sent any more. */
  get active(): boolean {
    return client(this).groupActiveState.kind === 'active';
  }

  /** Proposals received this epoch and not yet committed (RFC 9420 §12.1). */
  get pendingProposals(): number {
    return Object.keys(client(this).unappliedProposals).length;
  }

  get ownLeafIndex(): number {
    return client(this).privatePath.leafIndex;
  }

  /** Every device in the group, by leaf index. */
  get members(): readonly MlsMember[] {
    let cached = memberCache.get(this);
    if (!cached) {
      const c = client(this);
      cached = membersOf(
        c.ratchetTree,
        findGroupMetadata(c.groupContext.extensions),
        c.privatePath.leafIndex,
      );
      memberCache.set(this, cached);
    }
    return cached;
  }

  get self(): MlsMember {
    const me = this.members.find((m) => m.isSelf);
    if (!me) throw new ParleyError('INVALID_STATE', 'This device is no longer a member of the group.');
    return me;
  }

  roleOf(identityKey: Uint8Array): Role {
    const meta = findGroupMetadata(client(this).groupContext.extensions);
    // A role counts only while its user is in the group: one who left keeps an
    // entry until added again (groupEngine.ts commit() says why).
    const present = this.members.some((m) => Buffer.from(m.identityKey).equals(Buffer.from(identityKey)));
    return meta && present ? roleOf(meta.roles, identityKey) : 'member';
  }

  private get metadata(): GroupMetadata {
    const meta = findGroupMetadata(client(this).groupContext.extensions);
    if (!meta) throw new ParleyError('INVALID_STATE', 'The group has no Parley metadata.');
    return meta;
  }

  /**
   * Lossless bytes for the database or a backup:
   *   "PMLS" | u8 format (1) | u16 suite id | ts-mls encodeGroupState
   */
  serialize(): Uint8Array {
    const { client: c, suite } = internal(this);
    const header = Buffer.alloc(7);
    header.write(MAGIC, 0, 'ascii');
    header.writeUInt8(FORMAT, 4);
    header.writeUInt16BE(suite.id, 5);
    return new Uint8Array(Buffer.concat([header, encodeGroupState(c)]));
  }

  static deserialize(bytes: Uint8Array): MlsGroupState {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (b.length < 7 || b.toString('ascii', 0, 4) !== MAGIC || b[4] !== FORMAT) {
      throw new ParleyError('INVALID_PARAMS', 'Not a Parley MLS group state, or written by a newer Parley.');
    }
    const suite = suiteById(b.readUInt16BE(5));
    let decoded: ReturnType<typeof decodeGroupState>;
    try {
      decoded = decodeGroupState(bytes, 7);
    } catch {
      decoded = undefined;
    }
    // ts-mls decoders return the number of bytes read, not the end offset.
    if (!suite || !decoded || 7 + decoded[1] !== bytes.length) {
      throw new ParleyError('INVALID_PARAMS', 'The stored MLS group state is damaged.');
    }
    const state = wrapState({ ...decoded[0], clientConfig: parleyClientConfig }, null);
    if (state.suite.id !== suite.id)
      throw new ParleyError('INVALID_PARAMS', 'The stored MLS group state is damaged.');
    return state;
  }
}

const MAGIC = 'PMLS';
const FORMAT = 1;

function internal(s: MlsGroupState): Internal {
  const i = internals.get(s);
  if (!i) throw new ParleyError('INTERNAL', 'Not an MLS group state.');
  return i;
}

function client(s: MlsGroupState): ClientState {
  return internal(s).client;
}

/** Internal: wraps a ts-mls state, remembering the state it was derived from. */
export function wrapState(c: ClientState, parent: MlsGroupState | null): MlsGroupState {
  const suite = suiteFromMlsName(c.groupContext.cipherSuite);
  if (!suite) {
    throw new ParleyError(
      'INVALID_PARAMS',
      `MLS ciphersuite ${c.groupContext.cipherSuite} is not supported.`,
    );
  }
  return construct({ client: c, suite, parent });
}

/** Internal: the ts-mls state of a group state value. */
export function unwrapState(s: MlsGroupState): ClientState {
  return client(s);
}

/** Internal: the state `s` was derived from, if it was derived in this process. */
export function parentState(s: MlsGroupState): MlsGroupState | null {
  return internal(s).parent;
}

/** Internal: the suite name of a state. */
export function suiteNameOf(s: MlsGroupState): MlsSuiteName {
  return internal(s).suite.name;
}

/** Internal: the members of a ratchet tree under the given roles. */
export function membersOf(tree: RatchetTree, meta: GroupMetadata | null, ownLeaf: number): MlsMember[] {
  const out: MlsMember[] = [];
  for (let node = 0; node < tree.length; node += 2) {
    const n = tree[node];
    if (n?.nodeType !== 'leaf') continue;
    const m = memberOfLeaf(n.leaf, node / 2, meta, ownLeaf);
    if (m) out.push(m);
  }
  return out;
}

export function memberOfLeaf(
  leaf: LeafNode,
  leafIndex: number,
  meta: GroupMetadata | null,
  ownLeaf: number,
): MlsMember | null {
  const id = leafIdentity(leaf.credential);
  if (!id) return null;
  return {
    leafIndex,
    identityKey: new Uint8Array(id.identityKey),
    peerId: id.peerId,
    signatureKey: leaf.signaturePublicKey,
    role: meta ? roleOf(meta.roles, id.identityKey) : 'member',
    isSelf: leafIndex === ownLeaf,
  };
}
