import { ParleyError } from '../errors';
import { addMembers, createGroup, exportRatchetTree, startDm, type MlsDeviceIdentity } from '../mls';
import type { GroupContext } from './groupContext';
import { syncMembers } from './memberSync';
import { peopleKeyPackages, type PersonToAdd } from './peopleKeyPackages';
import type { ProfileAnnouncer } from './profileAnnouncer';
import { encodeFrame } from './wireFrame';

/**
 * New conversations from this device: a DM with a contact, a group with
 * contacts. A KeyPackage per device first (network, outside any
 * transaction), then the conversation, its first group state, its members
 * and the Welcome's outbox rows in one transaction (DESIGN.md §1 rule 6),
 * then this device's profile to the new members.
 */
export class ConversationStarter {
  constructor(
    private readonly ctx: GroupContext,
    private readonly device: MlsDeviceIdentity,
    private readonly announcer: Pick<ProfileAnnouncer, 'publish'>,
  ) {}

  /**
   * A DM with a contact: a KeyPackage from each of the contact's active
   * devices and of this person's other devices (§13.6; offline ones are
   * added later by their own person's devices), the group with all of them
   * in its first commit, and the Welcome to each.
   */
  async createDm(contactId: number): Promise<number> {
    const { store, repos, mls, outbox, directory, now, kick, logger } = this.ctx.deps;
    const existing = repos.groups.openDmWith(contactId);
    if (existing !== null) return existing;
    const fetched = await peopleKeyPackages(this.ctx, [this.contact(contactId), this.ownPerson()]);
    const out = await startDm(
      this.device,
      fetched.map((f) => f.keyPackage),
      { now: now() },
    );
    const tree = exportRatchetTree(out.state);
    const welcome = out.welcome;
    if (!welcome) throw new ParleyError('INTERNAL', 'No Welcome for the new DM.');
    const payload = encodeFrame({ kind: 'welcome', welcome, ratchetTree: tree });
    const conversationId = store.tx.run(() => {
      const id = store.conversations.create({
        kind: 'dm',
        contactId,
        groupId: Buffer.from(out.state.groupId),
        ciphersuite: out.state.suite.id,
        createdAt: now(),
      });
      mls.commit(id, out, () => {
        syncMembers({ members: repos.members, directory }, id, out.state, now());
        for (const { peer } of fetched)
          outbox.enqueue({ conversationId: id, messageId: null, recipient: peer, payload });
      });
      return id;
    });
    kick();
    await this.announcer.publish({ only: conversationId });
    logger.log('info', 'messaging.dm_created', { conversation: conversationId, devices: fetched.length });
    return conversationId;
  }

  /**
   * A group with these contacts (every active device of each) and this
   * person's other devices (§13.6), this user as owner.
   */
  async createGroup(name: string, contactIds: number[]): Promise<number> {
    const { store, repos, mls, outbox, directory, now, kick, logger } = this.ctx.deps;
    const people = [...new Set(contactIds)].map((id) => this.contact(id));
    if (people.length === 0)
      throw new ParleyError('INVALID_PARAMS', 'A group needs at least one contact device.');
    const fetched = await peopleKeyPackages(this.ctx, [...people, this.ownPerson()]);
    const group = await createGroup(this.device, { name, now: now() });
    const out = await addMembers(
      group,
      fetched.map((f) => f.keyPackage),
    );
    const welcome = out.welcome;
    if (!welcome) throw new ParleyError('INTERNAL', 'No Welcome for the new group.');
    const payload = encodeFrame({ kind: 'welcome', welcome, ratchetTree: exportRatchetTree(out.state) });
    const conversationId = store.tx.run(() => {
      const id = store.conversations.create({
        kind: 'group',
        name,
        groupId: Buffer.from(out.state.groupId),
        ciphersuite: out.state.suite.id,
        createdAt: now(),
      });
      mls.commit(id, out, () => {
        syncMembers({ members: repos.members, directory }, id, out.state, now());
        // The people it was made with: this person's own other devices are not "others".
        const own = Buffer.from(this.device.identityKey);
        const others = out.state.members
          .filter((m) => !m.isSelf && !own.equals(Buffer.from(m.identityKey)))
          .map((m) => m.identityKey);
        this.ctx.changeLog.created(id, others, now());
        for (const { peer } of fetched)
          outbox.enqueue({ conversationId: id, messageId: null, recipient: peer, payload });
      });
      return id;
    });
    kick();
    await this.announcer.publish({ only: conversationId });
    logger.log('info', 'messaging.group_created', { conversation: conversationId, devices: fetched.length });
    return conversationId;
  }

  /** A contact as a person to add: its identity key (its list decides) and its known devices. */
  private contact(contactId: number): PersonToAdd {
    const identityKey = this.ctx.deps.repos.contacts.identityKeyOf(contactId);
    if (!identityKey) throw new ParleyError('INVALID_PARAMS', 'That contact has no known device.');
    return { identityKey, known: this.ctx.deps.repos.contacts.devicesOf(contactId), required: true };
  }

  /** This person's other active devices: welcome in every new conversation, never required. */
  private ownPerson(): PersonToAdd {
    return { identityKey: this.device.identityKey, known: [], required: false };
  }
}
