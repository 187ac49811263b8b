import type { Directory } from '../contacts/directory';
import type { KeyPackageExchange } from '../contacts/keyPackageExchange';
import { isMlsRejection, joinGroup, type KeyPackagePool, type MlsDeviceIdentity } from '../mls';
import type { GroupContext } from './groupContext';
import { syncMembers } from './memberSync';
import type { ProfileAnnouncer } from './profileAnnouncer';

/**
 * A Welcome in (RFC 9420 §12.4.3.1): the KeyPackage it is for, the join,
 * and, only if one of the other members is our contact and a DM has exactly
 * one other user (consent), the conversation, the state, the consumed
 * KeyPackage and the envelope's seen mark in one transaction.
 */
export class WelcomeReceiver {
  constructor(
    private readonly ctx: GroupContext,
    private readonly device: MlsDeviceIdentity,
    private readonly pool: KeyPackagePool,
    private readonly keyPackages: Pick<KeyPackageExchange, 'replenish'>,
    private readonly directory: Pick<Directory, 'checkIdentity' | 'upsertDevice'>,
    private readonly announcer: Pick<ProfileAnnouncer, 'announce'>,
  ) {}

  async receive(
    welcome: Uint8Array,
    ratchetTree: Uint8Array,
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const { mls, store, repos, logger, now } = this.ctx.deps;
    const pool = this.pool;
    let found: ReturnType<KeyPackagePool['findForWelcome']>;
    let joined: Awaited<ReturnType<typeof joinGroup>>;
    try {
      found = pool.findForWelcome(welcome);
      joined = await joinGroup(this.device, welcome, found.material, ratchetTree);
    } catch (err) {
      if (isMlsRejection(err, 'replay')) return 'duplicate';
      if (isMlsRejection(err)) {
        logger.log('warn', 'messaging.welcome_rejected', { reason: err.reason });
        return 'rejected';
      }
      throw err;
    }
    const state = joined.state;
    if (mls.conversationOf(state.groupId) !== null) return 'duplicate';
    const others = state.members.filter((m) => !m.isSelf);
    // A credential naming a known device under another identity key: recorded as a key change (TOFU).
    for (const m of others) this.directory.checkIdentity(m.peerId, m.identityKey);
    // Consent: we join only groups that one of our contacts is in, or that one of our own
    // devices added us to (§13.6 step 3: its leaf was judged against our own list); a self
    // group (§13.6) only when every member is one of our own devices (the policy keeps it so).
    const selfGroup = state.kind === 'self';
    const own = Buffer.from(this.ctx.deps.identity.publicKey);
    const ownHex = own.toString('hex');
    const contactIds = others
      .map((m) => repos.contacts.contactIdOf(m.identityKey))
      .filter((id): id is number => id !== null);
    const otherUsers = new Set(
      others.map((m) => Buffer.from(m.identityKey).toString('hex')).filter((user) => user !== ownHex),
    );
    const byOwnDevice = own.equals(Buffer.from(joined.addedBy));
    const refused = selfGroup
      ? others.length === 0 || others.some((m) => !own.equals(Buffer.from(m.identityKey)))
      : (contactIds.length === 0 && !byOwnDevice) || (state.kind === 'dm' && otherUsers.size !== 1);
    if (refused) {
      logger.log('warn', 'messaging.welcome_refused', { kind: state.kind });
      return 'rejected';
    }
    const conversationId = store.tx.run(() => {
      // The conversation a link's grant already listed (§13.5), or a new one.
      const id =
        (selfGroup ? null : store.conversations.byGroupId(state.groupId)) ??
        store.conversations.create({
          kind: state.kind === 'dm' ? 'dm' : 'group',
          name: state.kind === 'group' ? state.name : null,
          contactId: state.kind === 'dm' ? (contactIds[0] ?? null) : null,
          groupId: Buffer.from(state.groupId),
          ciphersuite: state.suite.id,
          createdAt: now(),
          selfGroup,
        });
      mls.commitJoin(id, joined, pool, found.ref, () => {
        syncMembers({ members: repos.members, directory: this.directory }, id, state, now());
        if (state.kind === 'group') this.ctx.changeLog.joined(id, joined.addedBy, now());
        markSeen();
      });
      return id;
    });
    logger.log('info', 'messaging.joined', { conversation: conversationId, kind: state.kind });
    void this.keyPackages.replenish();
    // After the ack, not before: announcing ourselves needs no part of the join's transaction.
    this.announcer.announce(conversationId);
    return 'accepted';
  }
}
