import { addMembers, createGroup, exportRatchetTree, type MlsDeviceIdentity } from '../mls';
import { errorFields } from '../util/logger';
import type { GroupContext } from './groupContext';
import type { GroupSendQueue } from './groupSendQueue';
import type { GroupSteps } from './groupSteps';
import { syncMembers } from './memberSync';
import { encodeFrame } from './wireFrame';

/**
 * The person's self group (issue 18, docs/protocol.md §13.6): an MLS group
 * of kind `self` holding only this person's devices, which carries what they
 * tell each other (content/selfSync.ts) and never shows as a conversation.
 *
 * - **Created** once the person has a second active device, by the active
 *   device listed first (the lowest `added_seq`: every device computes the
 *   same one from the same list, so two devices never both create one), with
 *   a KeyPackage of every other active device it can reach.
 * - **Kept complete**: an active own device without a leaf is added by the
 *   member listed first (the own-device Add of §13.6); a removed one loses
 *   its leaf by §13.8's removal in every group (groups/ownDeviceRemovals.ts
 *   goes through every open group, this one included).
 * - **Sends** the queued sync messages (`sync_outbox`), each deleted in the
 *   transaction that stores its MLS message and outbox rows, so a crash
 *   between the change and the send loses nothing.
 *
 * Should two self groups ever exist (each made by a device that did not know
 * of the other's), sync is sent into the one with the lowest group id and
 * accepted from any: what is said still arrives.
 */
export class SelfGroup {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: GroupContext,
    private readonly steps: GroupSteps,
    private readonly queue: GroupSendQueue,
    private readonly device: MlsDeviceIdentity,
  ) {}

  /** The self group's conversation, or null while there is none. */
  conversationId(): number | null {
    return this.ctx.deps.store.conversations.selfGroups()[0]?.id ?? null;
  }

  /**
   * Creates the self group or adds missing own devices, then sends what is
   * queued. Safe to call at any time and often (start, a list change, an own
   * device connecting, after a local change): runs one at a time, and a call
   * during a run makes one more run.
   */
  poke(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        await this.ensure().catch((err: unknown) =>
          this.ctx.deps.logger.log('warn', 'selfgroup.ensure_failed', errorFields(err)),
        );
        await this.drain().catch((err: unknown) =>
          this.ctx.deps.logger.log('warn', 'selfgroup.send_failed', errorFields(err)),
        );
      } while (this.again);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves when no run is going on (stopping waits for the one under way, starts none). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** This person's active devices in list order (this one included). */
  private activeOwn(): string[] {
    const { store, identity } = this.ctx.deps;
    return store.deviceLists
      .devices(identity.publicKey)
      .filter((d) => d.removedSeq === null)
      .map((d) => d.peerId);
  }

  private async ensure(): Promise<void> {
    const active = this.activeOwn();
    const me = this.device.peerId;
    const others = active.filter((p) => p !== me);
    if (others.length === 0) return;
    const id = this.conversationId();
    if (id === null) {
      if (active[0] === me) await this.create(others);
      return;
    }
    const state = this.ctx.sequencers.get(id)?.seq.state;
    if (!state?.active) return;
    const inGroup = new Set(state.members.map((m) => m.peerId));
    const missing = others.filter((p) => !inGroup.has(p));
    // The member listed first adds the missing ones (one device fetching their KeyPackages, not all).
    if (missing.length === 0 || active.find((p) => inGroup.has(p)) !== me) return;
    const keyPackages = await this.fetchSome(missing);
    if (keyPackages.length === 0) return;
    await this.ctx.deps.lock.run(String(id), async () => {
      const entry = this.ctx.sequencers.get(id);
      if (!entry) return;
      await this.steps.commitNow(entry, { type: 'addOwnDevice', keyPackages });
      this.ctx.deps.kick();
    });
    this.ctx.deps.logger.log('info', 'selfgroup.devices_added', { devices: keyPackages.length });
  }

  /** KeyPackages of the devices that answer now; the rest are added on a later poke. */
  private async fetchSome(peers: readonly string[]): Promise<Uint8Array[]> {
    const got = await Promise.allSettled(peers.map((p) => this.ctx.deps.keyPackages.fetch(p)));
    return got.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  private async create(others: readonly string[]): Promise<void> {
    const { store, repos, mls, outbox, directory, now, kick, logger } = this.ctx.deps;
    const peers: string[] = [];
    const keyPackages: Uint8Array[] = [];
    const got = await Promise.allSettled(others.map((p) => this.ctx.deps.keyPackages.fetch(p)));
    got.forEach((r, i) => {
      if (r.status === 'fulfilled' && others[i] !== undefined) {
        peers.push(others[i]);
        keyPackages.push(r.value);
      } else if (r.status === 'rejected') {
        logger.log('info', 'selfgroup.keypackage_failed', errorFields(r.reason));
      }
    });
    // A group of one would tell nobody anything: it is made when a device answers.
    if (keyPackages.length === 0 || this.conversationId() !== null) return;
    const group = await createGroup(this.device, { kind: 'self', now: now() });
    const out = await addMembers(group, keyPackages);
    const welcome = out.welcome;
    if (!welcome) return;
    const payload = encodeFrame({ kind: 'welcome', welcome, ratchetTree: exportRatchetTree(out.state) });
    const id = store.tx.run(() => {
      const conversationId = store.conversations.create({
        kind: 'group',
        groupId: Buffer.from(out.state.groupId),
        ciphersuite: out.state.suite.id,
        createdAt: now(),
        selfGroup: true,
      });
      mls.commit(conversationId, out, () => {
        syncMembers({ members: repos.members, directory }, conversationId, out.state, now());
        for (const peer of peers)
          outbox.enqueue({ conversationId, messageId: null, recipient: peer, payload });
      });
      return conversationId;
    });
    kick();
    logger.log('info', 'selfgroup.created', { conversation: id, devices: peers.length });
  }

  /** Sends the queued sync messages into the self group, oldest first. */
  private async drain(): Promise<void> {
    const { store } = this.ctx.deps;
    const id = this.conversationId();
    if (id === null) return;
    const state = this.ctx.sequencers.get(id)?.seq.state;
    if (!state?.active || state.members.every((m) => m.isSelf)) return;
    for (let round = 0; round < 1_000; round++) {
      const batch = store.syncState.pending(64);
      if (batch.length === 0) return;
      await Promise.all(
        batch.map((row) =>
          this.queue.send(id, new Uint8Array(Buffer.from(row.body, 'utf8')), () => {
            store.syncState.sent(row.id);
            return null;
          }),
        ),
      );
    }
  }
}
