import { ParleyError } from '../errors';
import { addMembers, createGroup, exportRatchetTree, startDm, type MlsDeviceIdentity } from '../mls';
import type { GroupContext } from './groupContext';
import { syncMembers } from './memberSync';
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

  /** A DM with a contact: fetches a KeyPackage from its device, creates the group, sends the Welcome. */
  async createDm(contactId: number): Promise<number> {
    const { store, repos, mls, outbox, directory, keyPackages, now, kick, logger } = this.ctx.deps;
    const existing = repos.groups.openDmWith(contactId);
    if (existing !== null) return existing;
    const [peer] = repos.contacts.devicesOf(contactId);
    if (!peer) throw new ParleyError('INVALID_PARAMS', 'That contact has no known device.');
    const keyPackage = await keyPackages.fetch(peer);
    const out = await startDm(this.device, keyPackage, { now: now() });
    const tree = exportRatchetTree(out.state);
    const welcome = out.welcome;
    if (!welcome) throw new ParleyError('INTERNAL', 'No Welcome for the new DM.');
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
        outbox.enqueue({
          conversationId: id,
          messageId: null,
          recipient: peer,
          payload: encodeFrame({ kind: 'welcome', welcome, ratchetTree: tree }),
        });
      });
      return id;
    });
    kick();
    await this.announcer.publish({ only: conversationId });
    logger.log('info', 'messaging.dm_created', { conversation: conversationId });
    return conversationId;
  }

  /** A group with these contacts (every known device of each), this user as owner. */
  async createGroup(name: string, contactIds: number[]): Promise<number> {
    const { store, repos, mls, outbox, directory, keyPackages, now, kick, logger } = this.ctx.deps;
    const peers = [...new Set(contactIds.flatMap((id) => repos.contacts.devicesOf(id)))];
    if (peers.length === 0)
      throw new ParleyError('INVALID_PARAMS', 'A group needs at least one contact device.');
    const fetched = await Promise.all(peers.map((p) => keyPackages.fetch(p)));
    const group = await createGroup(this.device, { name, now: now() });
    const out = await addMembers(group, fetched);
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
        const others = out.state.members.filter((m) => !m.isSelf).map((m) => m.identityKey);
        this.ctx.changeLog.created(id, others, now());
        for (const peer of peers)
          outbox.enqueue({ conversationId: id, messageId: null, recipient: peer, payload });
      });
      return id;
    });
    kick();
    await this.announcer.publish({ only: conversationId });
    logger.log('info', 'messaging.group_created', { conversation: conversationId, devices: peers.length });
    return conversationId;
  }
}
