import { ParleyError } from '../errors';
import type { MlsGroupState, Role } from '../mls';
import { hex, type GroupAck, type GroupContext } from './groupContext';
import type { SequencerEntry } from './groupSequencers';
import type { GroupSteps } from './groupSteps';
import { assertSendable } from './resync';
import { peopleKeyPackages } from './peopleKeyPackages';
import { devicesToAdd } from '../devices/devicesToAdd';

const isAdmin = (r: Role) => r === 'owner' || r === 'admin';

/**
 * Changes to a group's members, name and roles (docs/protocol.md §6):
 * owners and admins commit; a member's add becomes Add proposals an admin's
 * device commits; a leave is a self-removal proposal (RFC 9420 §12.1.3).
 * Every check a role fails says so in a sentence, before anything is made.
 */
export class GroupMembership {
  constructor(
    private readonly ctx: GroupContext,
    private readonly steps: GroupSteps,
  ) {}

  /**
   * Adds contacts to a group, every active device of each (§13.6): a commit
   * for admins, Add proposals for members. Devices already in the group are
   * not asked again; a device that does not answer is left for its own
   * person's devices to add.
   */
  async addMembers(conversationId: number, contactIds: readonly number[]): Promise<GroupAck> {
    const state = this.groupState(conversationId);
    const present = new Set(state.members.map((m) => m.peerId));
    const { contacts } = this.ctx.deps.repos;
    const wanted = [...new Set(contactIds)].flatMap((id) => {
      const identityKey = contacts.identityKeyOf(id);
      if (!identityKey) return [];
      const known = contacts.devicesOf(id);
      const all = devicesToAdd(this.ctx.deps.devices, identityKey, known, this.ctx.deps.profile.peerId);
      if (all.every((d) => present.has(d))) return [];
      // A person already in the group (some of its devices) is completed, not required.
      return [{ identityKey, known, required: !all.some((d) => present.has(d)) }];
    });
    if (wanted.length === 0) {
      throw new ParleyError('INVALID_PARAMS', 'Those contacts are already in the group (or have no device).');
    }
    // Network first, outside the lock: a KeyPackage per device, like createGroup.
    const keyPackages = (await peopleKeyPackages(this.ctx, wanted, present)).map((f) => f.keyPackage);
    return this.locked(conversationId, async (entry) => {
      if (isAdmin(entry.seq.state.self.role)) {
        return {
          committed: (await this.steps.commitNow(entry, { type: 'add', keyPackages })) === 'committed',
        };
      }
      for (const keyPackage of keyPackages) await this.steps.propose(entry, { type: 'add', keyPackage });
      return { committed: false };
    });
  }

  /** Removes a user (every device) from a group; owners and admins only (docs/protocol.md §6). */
  async removeMember(conversationId: number, identityKey: Uint8Array): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      const state = entry.seq.state;
      const me = state.self;
      const target = state.members.find((m) => hex(m.identityKey) === hex(identityKey));
      if (!target) throw new ParleyError('INVALID_PARAMS', 'That person is not in this group.');
      if (hex(target.identityKey) === hex(me.identityKey)) {
        throw new ParleyError('INVALID_PARAMS', 'To leave the group, use Leave.');
      }
      if (!isAdmin(me.role)) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner and admins can remove members.");
      }
      if (target.role === 'owner') {
        throw new ParleyError('FORBIDDEN', "The group's owner cannot be removed; they can leave.");
      }
      const ownerPresent = state.members.some((m) => m.role === 'owner');
      if (target.role === 'admin' && me.role !== 'owner' && ownerPresent) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner can remove an admin.");
      }
      const result = await this.steps.commitNow(entry, { type: 'remove', identityKeys: [identityKey] });
      return { committed: result === 'committed' };
    });
  }

  /**
   * Removes this person's devices that the own device list removed (docs/
   * protocol.md §13.8 step 2), in a group or a DM, whatever this device's
   * role: the role policy lets any device of the person commit it once the
   * removal is in the list (§13.6). Nothing when none of them has a leaf here.
   */
  async removeOwnDevices(conversationId: number, peerIds: readonly string[]): Promise<GroupAck> {
    return this.locked(
      conversationId,
      async (entry) => {
        const { self, members } = entry.seq.state;
        const wanted = new Set(peerIds);
        const present = members.some(
          (m) => !m.isSelf && wanted.has(m.peerId) && hex(m.identityKey) === hex(self.identityKey),
        );
        if (!present) return { committed: false };
        const result = await this.steps.commitNow(entry, { type: 'removeOwnDevice', peerIds: [...peerIds] });
        return { committed: result === 'committed' };
      },
      { dmToo: true },
    );
  }

  /**
   * Adds a new device of this person (docs/protocol.md §13.6) in a group or
   * a DM, whatever this device's role: the role policy lets any device of
   * the person commit it, pinning the head that lists the device. Nothing
   * when the device already has a leaf here (another own device added it).
   */
  async addOwnDevice(conversationId: number, peerId: string, keyPackage: Uint8Array): Promise<GroupAck> {
    return this.locked(
      conversationId,
      async (entry) => {
        if (entry.seq.state.members.some((m) => m.peerId === peerId)) return { committed: false };
        const result = await this.steps.commitNow(entry, { type: 'addOwnDevice', keyPackages: [keyPackage] });
        return { committed: result === 'committed' };
      },
      { dmToo: true },
    );
  }

  async rename(conversationId: number, name: string): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      if (!isAdmin(entry.seq.state.self.role)) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner and admins can rename it.");
      }
      return { committed: (await this.steps.commitNow(entry, { type: 'rename', name })) === 'committed' };
    });
  }

  /** Roles are changed by the owner, or by any admin once the owner has left (docs/protocol.md §6). */
  async setRole(conversationId: number, identityKey: Uint8Array, role: Role): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      const state = entry.seq.state;
      const me = state.self;
      if (!state.members.some((m) => hex(m.identityKey) === hex(identityKey))) {
        throw new ParleyError('INVALID_PARAMS', 'That person is not in this group.');
      }
      const ownerPresent = state.members.some((m) => m.role === 'owner');
      const allowed = me.role === 'owner' || (me.role === 'admin' && !ownerPresent && role !== 'owner');
      if (!allowed) throw new ParleyError('FORBIDDEN', "Only the group's owner can change roles.");
      if (hex(identityKey) === hex(me.identityKey)) {
        throw new ParleyError('INVALID_PARAMS', 'To hand over the group, make someone else the owner.');
      }
      const result = await this.steps.commitNow(entry, { type: 'setRole', identityKey, role });
      return { committed: result === 'committed' };
    });
  }

  /** Refreshes this device's keys in the group now (post-compromise security). */
  async selfUpdate(conversationId: number): Promise<GroupAck> {
    return this.locked(
      conversationId,
      async (entry) => ({
        committed: (await this.steps.commitNow(entry, { type: 'selfUpdate' })) === 'committed',
      }),
      { dmToo: true },
    );
  }

  /**
   * Leaves a group: a proposal to remove this device's leaf, which an admin
   * (or, after a window, any member) commits; locally the conversation is
   * left at once (read-only history).
   */
  async leave(conversationId: number): Promise<void> {
    await this.locked(conversationId, async (entry) => {
      if (this.steps.leftAt(conversationId) !== null) return;
      const now = this.ctx.deps.now();
      const alone = entry.seq.state.members.every((m) => m.isSelf);
      if (alone) {
        this.ctx.sequencers.persist(entry, () => this.ctx.changeLog.markLeft(entry.conversationId, now));
        return;
      }
      await this.steps.propose(entry, { type: 'leave' }, () =>
        this.ctx.changeLog.markLeft(entry.conversationId, now),
      );
    });
  }

  private groupState(conversationId: number, options: { dmToo?: boolean } = {}): MlsGroupState {
    const row = this.ctx.deps.repos.groups.standing(conversationId);
    if (!row) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (row.kind !== 'group' && !options.dmToo) {
      throw new ParleyError('INVALID_PARAMS', 'That is not a group.');
    }
    if (row.leftAt !== null) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
    const state = this.ctx.sequencers.get(conversationId)?.seq.state;
    if (!state) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (!state.active) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
    return state;
  }

  /** Runs `work` under the conversation's lock, on a group this device is still in. */
  private locked<T>(
    conversationId: number,
    work: (entry: SequencerEntry) => Promise<T>,
    options: { dmToo?: boolean } = {},
  ): Promise<T> {
    return this.ctx.deps.lock.run(String(conversationId), async () => {
      assertSendable(this.ctx.deps.store.resync, conversationId);
      this.groupState(conversationId, options);
      const entry = this.ctx.sequencers.get(conversationId);
      if (!entry) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
      const result = await work(entry);
      this.ctx.deps.kick();
      return result;
    });
  }
}
