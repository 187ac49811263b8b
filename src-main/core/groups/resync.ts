import type { Outbox } from '../delivery/outbox';
import { ParleyError } from '../errors';
import { judgeDeviceClaim, type DeviceClaimLists } from '../devices/deviceClaims';
import { decodeAnyDeviceCredential } from '../identity/credential';
import {
  exportGroupInfo,
  isMlsRejection,
  rejoinByExternalCommit,
  type MlsDeviceIdentity,
  type MlsStore,
} from '../mls';
import type { ProfileRepositories } from '../store/profileRepositories';
import type { ResyncRepository } from '../store/repositories/resyncRepository';
import { errorFields, type Logger } from '../util/logger';
import { encodeFrame } from './wireFrame';

/**
 * Groups this device must rejoin by external commit (RFC 9420 §12.4.3.2)
 * before it can read or send in them again. After a restore from a backup
 * the archived MLS state may still be in use by the original device: two
 * devices encrypting from one leaf's secret tree would reuse AEAD keys and
 * nonces (RFC 9420 §9.1; the reuse_guard only lowers the risk). So
 * restoredDevice.ts deletes the restored group states outright (safe by
 * construction: nothing can encrypt with them) and records here which MLS
 * group each conversation was, in the settings table as JSON
 * `[{ "id": conversationId, "groupId": hex }]`.
 */

/**
 * Marks every group as needing a resync and deletes its restored MLS state
 * (and GroupOps' bookkeeping of it); returns how many. Runs inside the
 * restore's transaction, before the profile is published.
 */
export function markGroupsForResync(r: ResyncRepository, previousPeerId: string | null): number {
  const groups = r.groupStates();
  r.setPending([...r.pending(), ...groups]);
  r.dropAllGroupStates();
  if (previousPeerId) r.setPreviousPeerId(previousPeerId);
  return groups.length;
}

/** Conversations still waiting for a resync, in id order. */
export function groupsAwaitingResync(r: Pick<ResyncRepository, 'pending'>): number[] {
  return r.pending().map((g) => g.id);
}

export function isAwaitingResync(r: Pick<ResyncRepository, 'pending'>, conversationId: number): boolean {
  return r.pending().some((g) => g.id === conversationId);
}

/** The PeerId of the device this profile was restored from, if it was. */
export function previousPeerId(r: Pick<ResyncRepository, 'previousPeerId'>): string | null {
  return r.previousPeerId();
}

/** Clears one conversation's mark (after a successful rejoin, or when it is left). */
export function clearResync(r: ResyncRepository, conversationId: number): void {
  r.setPending(r.pending().filter((g) => g.id !== conversationId));
}

/**
 * Refuses to send in a conversation restored from a backup until it was
 * rejoined, with a message the user can act on. (Its MLS state is gone, so
 * nothing could be encrypted anyway; this turns "no such group" into words.)
 */
export function assertSendable(r: Pick<ResyncRepository, 'pending'>, conversationId: number): void {
  if (isAwaitingResync(r, conversationId)) {
    throw new ParleyError(
      'INVALID_STATE',
      'This conversation was restored from a backup and is read-only until Parley has rejoined the group. It needs a member of the group online.',
    );
  }
}

// --- serving: a member hands out the GroupInfo ---------------------------------

export interface GroupInfoServeDeps {
  /** Whether the requester's user is blocked. */
  resync: Pick<ResyncRepository, 'isBlocked'>;
  mls: Pick<MlsStore, 'load' | 'conversationOf'>;
  /** Records the requester as a device of its user, so its external commit is accepted from it. */
  directory: { upsertDevice(d: { peerId: string; identityKey: Uint8Array }): boolean };
  /** The device lists held here: only a device active in its person's list is answered (§13.6). */
  lists: DeviceClaimLists;
  /** Fetches a person's list entries from the requester (it serves its own list) before judging. */
  fetchDeviceEntries?: (from: string, identityKey: Uint8Array) => Promise<void>;
  logger: Logger;
}

/**
 * Answers /parley/groupinfo/1.0.0 (net/groupInfoProtocol.ts): the group's
 * current GroupInfo with external_pub and the ratchet tree, only when
 * - `credential` is a Parley device credential (version 1 or 2) that names the
 *   PeerId that opened the stream (authenticated by Noise), so nobody can ask
 *   on another device's behalf, and whose device is active in its person's
 *   device list as held here (devices/deviceClaims.ts, docs/protocol.md
 *   §13.6 and §13.8 step 3): a removed device gets nothing, a device another
 *   person's list claims gets nothing; a version 1 credential must verify
 *   under its identity key;
 * - that identity key is one of the group's users (per this member's state),
 *   and not a blocked contact;
 * - this device is an active member of the group.
 * A GroupInfo lets its holder join by external commit, which every member
 * accepts only as a resync of a user already in the group (mls/incoming.ts),
 * so handing it to a device of such a user gives away nothing it did not have.
 */
export async function answerGroupInfo(
  deps: GroupInfoServeDeps,
  requester: string,
  groupId: Uint8Array,
  credential: Uint8Array,
): Promise<Uint8Array | null> {
  const device = decodeAnyDeviceCredential(credential);
  if (!device || device.peerId !== requester) return null;
  const conversationId = deps.mls.conversationOf(groupId);
  if (conversationId === null) return null;
  const state = deps.mls.load(conversationId);
  if (!state || !state.active) return null;
  const user = Buffer.from(device.identityKey);
  if (!state.members.some((m) => Buffer.from(m.identityKey).equals(user))) return null;
  if (deps.resync.isBlocked(user)) return null;
  let verdict = judgeDeviceClaim(deps.lists, device);
  if (!verdict.ok && verdict.missing && deps.fetchDeviceEntries) {
    await deps.fetchDeviceEntries(requester, device.identityKey);
    verdict = judgeDeviceClaim(deps.lists, device);
  }
  if (!verdict.ok) {
    deps.logger.log('warn', 'messaging.groupinfo_refused', {
      conversation: conversationId,
      version: device.version,
      reason: verdict.missing ? 'device list entries missing' : verdict.reason,
    });
    return null;
  }
  deps.directory.upsertDevice({ peerId: requester, identityKey: device.identityKey });
  deps.logger.log('info', 'messaging.groupinfo_served', { conversation: conversationId });
  return exportGroupInfo(state);
}

// --- rejoining ----------------------------------------------------------------

export interface ResyncDeps {
  /** The resync marks, written with the new group state in one transaction. */
  store: Pick<ProfileRepositories, 'resync' | 'tx'>;
  mls: Pick<MlsStore, 'load' | 'save'>;
  outbox: Pick<Outbox, 'enqueue'>;
  /** This device's MLS identity (a restored profile's new one). */
  device: MlsDeviceIdentity;
  /** Fetches the GroupInfo from one peer; null when it refused, throws when unreachable. */
  fetchGroupInfo(peer: string, groupId: Uint8Array, credential: Uint8Array): Promise<Uint8Array | null>;
  /** Drops cached per-group state (GroupOps' sequencer) so the new state is read back. */
  forget(conversationId: number): void;
  kick(): void;
  logger: Logger;
  now(): number;
  /** Called after a rejoin that replaced another device (ResyncRunner keeps introducing this device to it). */
  introduce?(replaced: string, groupId: Uint8Array): void;
  /** Whether a connection to this device is open now: those are asked first (no dial to wait for). */
  isConnected?(peer: string): boolean;
  /**
   * Called after the rejoin is stored: the other members learn this new
   * device's addresses, seal key and relays from its profile (a rejoined
   * device is new to them, like a joiner; runtime/README.md, Profiles).
   */
  announce?(conversationId: number): void;
}

export type ResyncResult = 'rejoined' | 'not-needed' | 'no-member-reachable';

/**
 * Devices of the group's other users, whom to ask: the ones connected now
 * first (an answer in milliseconds), then the most recently seen. A device
 * that does not answer costs a dial timeout; asking it before one that is
 * online kept a restored profile read-only for that long per conversation.
 */
function candidates(
  resync: Pick<ResyncRepository, 'otherMembersDevices'>,
  conversationId: number,
  self: Uint8Array,
  exclude: Set<string>,
  isConnected: (peer: string) => boolean,
): string[] {
  const peers = resync.otherMembersDevices(conversationId, self).filter((p) => !exclude.has(p));
  return [...peers.filter(isConnected), ...peers.filter((p) => !isConnected(p))];
}

/**
 * Rejoins one group by external commit (RFC 9420 §12.4.3.2): asks the
 * members' devices in turn for the current GroupInfo, commits this device in
 * while removing the leaf of the device this profile was restored from (or
 * this device's own old leaf), stores the new state, and sends the commit to
 * every other member and to the replaced device, which thereby learns it
 * is no longer in the group. Clears the conversation's resync mark, so it can
 * be sent to again. Engineer A's GroupOps also calls this for a member that
 * fell too far behind (the sequencer's `mustRejoin`).
 */
export async function resyncGroup(
  deps: ResyncDeps,
  conversationId: number,
  options: { ask?: 'all' | 'connected' | 'unconnected' } = {},
): Promise<ResyncResult> {
  const { resync } = deps.store;
  const pending = resync.pending().find((g) => g.id === conversationId);
  const groupId = pending ? Buffer.from(pending.groupId, 'hex') : resync.groupIdOf(conversationId);
  if (!groupId) return 'not-needed';
  const replacing = previousPeerId(resync) ?? deps.device.peerId;
  const isConnected = deps.isConnected ?? (() => false);
  const peers = candidates(
    resync,
    conversationId,
    deps.device.identityKey,
    new Set([deps.device.peerId, replacing]),
    isConnected,
  ).filter((p) => {
    const ask = options.ask ?? 'all';
    return ask === 'all' || (ask === 'connected') === isConnected(p);
  });
  for (const peer of peers) {
    let groupInfo: Uint8Array | null;
    try {
      groupInfo = await deps.fetchGroupInfo(peer, groupId, deps.device.credential);
    } catch (err) {
      deps.logger.log('debug', 'messaging.resync_unreachable', {
        conversation: conversationId,
        ...errorFields(err),
      });
      continue;
    }
    if (!groupInfo) continue;
    let outcome: Awaited<ReturnType<typeof rejoinByExternalCommit>>;
    try {
      outcome = await rejoinByExternalCommit(deps.device, groupInfo, deps.now(), replacing);
    } catch (err) {
      // A GroupInfo that is forged, for another group or unusable: ask the next member.
      if (!isMlsRejection(err)) throw err;
      deps.logger.log('warn', 'messaging.resync_rejected', {
        conversation: conversationId,
        reason: err.reason,
      });
      continue;
    }
    if (!Buffer.from(outcome.state.groupId).equals(groupId)) continue;
    // The replaced device must be told: see ResyncRunner.introduce.
    if (replacing !== deps.device.peerId) deps.introduce?.(replacing, groupId);
    const payload = encodeFrame({ kind: 'group', groupId: outcome.state.groupId, message: outcome.commit });
    const recipients = new Set(outcome.state.members.filter((m) => !m.isSelf).map((m) => m.peerId));
    // The replaced device is no longer a member; it gets the commit that removed it.
    if (replacing !== deps.device.peerId) recipients.add(replacing);
    deps.store.tx.run(() => {
      deps.mls.save(conversationId, outcome.state, { refreshedOwnKeys: true });
      // GroupOps' sequencer bookkeeping belonged to the replaced state (a member that fell behind).
      resync.dropSequencer(conversationId);
      for (const recipient of recipients) {
        deps.outbox.enqueue({ conversationId, messageId: null, recipient, payload });
      }
      clearResync(resync, conversationId);
    });
    deps.forget(conversationId);
    deps.announce?.(conversationId);
    deps.kick();
    deps.logger.log('info', 'messaging.resynced', { conversation: conversationId, devices: recipients.size });
    return 'rejoined';
  }
  return 'no-member-reachable';
}

/**
 * Resyncs every conversation still marked (after a restore), each once;
 * the caller runs it again later (on start, when a member comes online).
 * Two passes: first every conversation through members connected now, so
 * none waits behind another's dial timeouts; then the rest, dialling.
 */
export async function resyncPending(deps: ResyncDeps): Promise<Map<number, ResyncResult>> {
  const results = new Map<number, ResyncResult>();
  const passes = deps.isConnected ? (['connected', 'unconnected'] as const) : (['all'] as const);
  for (const ask of passes) {
    for (const id of groupsAwaitingResync(deps.store.resync)) {
      try {
        results.set(id, await resyncGroup(deps, id, { ask }));
      } catch (err) {
        deps.logger.log('warn', 'messaging.resync_failed', { conversation: id, ...errorFields(err) });
        results.set(id, 'no-member-reachable');
      }
    }
  }
  return results;
}

/** How many times the runner tries to reach a replaced device (every intervalMs: about 10 minutes). */
export const MAX_INTRODUCTIONS = 40;

/**
 * Runs resyncPending on start, whenever a device connects (`poke`: a member
 * coming online is rejoined through at once, not at the next interval), and
 * every `intervalMs` while any group is still waiting. It also tells the replaced
 * device: that device does not know this one's new PeerId, so it would refuse
 * the commit that removes it. Asking it for a GroupInfo (result unused) makes
 * this device known to it (answerGroupInfo records certified devices of the
 * group's users); the outbox's retries then deliver the commit and the old
 * device sees itself removed. Retried while it is unreachable, bounded by
 * MAX_INTRODUCTIONS. Stops by itself when nothing is left, and on stop().
 */
export class ResyncRunner {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;
  /** A poke came while a pass was running: run once more after it (that pass may have missed the peer). */
  private again = false;
  private stopped = false;
  /** Replaced device → a group id to ask about, and attempts left. */
  private readonly introductions = new Map<string, { groupId: Uint8Array; left: number }>();
  private readonly deps: ResyncDeps;

  constructor(
    deps: ResyncDeps,
    private readonly intervalMs = 15_000,
  ) {
    this.deps = {
      ...deps,
      introduce: (replaced, groupId) => {
        this.introductions.set(replaced, { groupId, left: MAX_INTRODUCTIONS });
        deps.introduce?.(replaced, groupId);
      },
    };
  }

  start(): void {
    if (this.timer || groupsAwaitingResync(this.deps.store.resync).length === 0) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref?.();
    void this.runOnce();
  }

  /** One pass: waiting groups, then introductions (tests call it directly). */
  runOnce(): Promise<unknown> {
    this.running ??= (async () => {
      await resyncPending(this.deps);
      await this.introduceAll();
    })().finally(() => {
      this.running = null;
      if (groupsAwaitingResync(this.deps.store.resync).length === 0 && this.introductions.size === 0)
        this.clear();
      if (this.again && !this.stopped) {
        this.again = false;
        void this.runOnce();
      }
    });
    return this.running;
  }

  /** A device connected: if anything still waits, try again now (coalesced with a pass under way). */
  poke(): void {
    if (this.stopped) return;
    if (groupsAwaitingResync(this.deps.store.resync).length === 0 && this.introductions.size === 0) return;
    if (this.running) this.again = true;
    else void this.runOnce();
  }

  /** Whether the replaced device still has to be told (tests). */
  get introducing(): number {
    return this.introductions.size;
  }

  private async introduceAll(): Promise<void> {
    for (const [peer, intro] of [...this.introductions]) {
      try {
        await this.deps.fetchGroupInfo(peer, intro.groupId, this.deps.device.credential);
        this.introductions.delete(peer);
        this.deps.kick();
      } catch {
        intro.left -= 1;
        if (intro.left <= 0) {
          this.introductions.delete(peer);
          this.deps.logger.log('info', 'messaging.replaced_device_unreachable', {});
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    await this.running;
  }

  private clear(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
