import type { AppliedCommit } from '../mls';
import type { GroupRepository } from '../store/repositories/groupRepository';
import type { GroupMemberRepository } from '../store/repositories/groupMemberRepository';
import type { Store } from '../store/store';
import {
  personOf,
  SYSTEM_EVENT_VERSION,
  type StoredPerson,
  type StoredSystemEvent,
} from '../store/systemEvent';

/**
 * The group's change log in the chat: one system row per change ("Ada added
 * Bob", "You left"), written inside the transaction that applied it, as a
 * structured event (store/systemEvent.ts) the renderer puts into words.
 * Uids are `sys:<conversation>:<epoch>:<n>` (what a commit did),
 * `sys:<conversation>:left:<at>`, `sys:<conversation>:<epoch>:replaced`,
 * `sys:<conversation>:created…` and `sys:<conversation>:joined`: the
 * conversation list tells "left" from "removed" by them
 * (conversationRepository.ts), and a commit that lost has its rows replaced.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface GroupChangeLogDeps {
  store: Store;
  repos: { groups: Pick<GroupRepository, 'markLeft'>; members: Pick<GroupMemberRepository, 'nameOf'> };
  identity: { publicKey: Uint8Array; displayName: string };
}

export class GroupChangeLog {
  constructor(private readonly deps: GroupChangeLogDeps) {}

  /** What a commit did: members added, left, removed, the group renamed, roles changed. */
  describe(conversationId: number, c: AppliedCommit, now: number): void {
    // An external commit is a member's device re-joining (resync): nothing changes for the
    // chat, unless the leaf it replaced is this device's (restored on another machine).
    if (!c.sender) {
      if (c.changes.removedSelf) {
        this.insert(conversationId, `sys:${conversationId}:${c.epoch}:replaced`, now, {
          v: SYSTEM_EVENT_VERSION,
          kind: 'replacedElsewhere',
        });
      }
      return;
    }
    const actor = this.person(c.sender.identityKey);
    const events: StoredSystemEvent[] = [];
    const selfKey = hex(this.deps.identity.publicKey);
    const leavers = new Set(c.summary.leavers.map(hex));
    const removedUsers = new Map(c.changes.removed.map((m) => [hex(m.identityKey), m.identityKey]));
    const addedUsers = new Map(c.changes.added.map((m) => [hex(m.identityKey), m.identityKey]));
    const added = [...addedUsers].filter(([k]) => !removedUsers.has(k)).map(([, key]) => this.person(key));
    const v = SYSTEM_EVENT_VERSION;
    if (added.length > 0) events.push({ v, kind: 'membersAdded', actor, subjects: added });
    for (const [k, key] of removedUsers) {
      if (addedUsers.has(k)) continue;
      if (leavers.has(k)) {
        // This device already logged "You left" when it proposed leaving.
        if (k !== selfKey) events.push({ v, kind: 'memberLeft', actor: this.person(key) });
      } else {
        events.push({ v, kind: 'memberRemoved', actor, subject: this.person(key) });
      }
    }
    if (c.changes.renamed) events.push({ v, kind: 'groupRenamed', actor, name: c.summary.name });
    for (const r of c.summary.roleChanges) {
      events.push({ v, kind: 'roleChanged', actor, subject: this.person(r.identityKey), role: r.role });
    }
    // A removed device's state stays at the old epoch: its lines get their own uids.
    const uidBase = `sys:${conversationId}:${c.epoch}${c.changes.removedSelf ? ':out' : ''}`;
    events.forEach((event, i) =>
      this.insert(conversationId, `${uidBase}:${i}`, now, event, {
        senderKey: c.sender?.identityKey,
        outgoing: c.sender?.isSelf,
      }),
    );
  }

  /** This user created the group with these members (in the creation's transaction). */
  created(conversationId: number, members: readonly Uint8Array[], now: number): void {
    const v = SYSTEM_EVENT_VERSION;
    const actor = this.person(this.deps.identity.publicKey);
    this.insert(conversationId, `sys:${conversationId}:created`, now, { v, kind: 'groupCreated', actor });
    const subjects = [...new Map(members.map((k) => [hex(k), k])).values()].map((k) => this.person(k));
    if (subjects.length > 0) {
      this.insert(conversationId, `sys:${conversationId}:created:added`, now, {
        v,
        kind: 'membersAdded',
        actor,
        subjects,
      });
    }
  }

  /** A Welcome from `addedBy` brought this device into the group (in the join's transaction). */
  joined(conversationId: number, addedBy: Uint8Array, now: number): void {
    this.insert(
      conversationId,
      `sys:${conversationId}:joined`,
      now,
      {
        v: SYSTEM_EVENT_VERSION,
        kind: 'membersAdded',
        actor: this.person(addedBy),
        subjects: [this.person(this.deps.identity.publicKey)],
      },
      { senderKey: addedBy, outgoing: false },
    );
  }

  markLeft(id: number, now: number): void {
    this.deps.repos.groups.markLeft(id, now);
    this.insert(id, `sys:${id}:left:${now}`, now, {
      v: SYSTEM_EVENT_VERSION,
      kind: 'memberLeft',
      actor: this.person(this.deps.identity.publicKey),
    });
  }

  /** A user as an event names them: key, and the name this device knows ('' when none). */
  private person(identityKey: Uint8Array): StoredPerson {
    return personOf(identityKey, this.nameOf(identityKey));
  }

  /** This user's name, a contact's name, the name a member announced in the group, or ''. */
  private nameOf(identityKey: Uint8Array): string {
    if (hex(identityKey) === hex(this.deps.identity.publicKey)) return this.deps.identity.displayName;
    // A member who is not a contact: the name announced in the group.
    return this.deps.repos.members.nameOf(identityKey) ?? '';
  }

  private insert(
    conversationId: number,
    uid: string,
    now: number,
    event: StoredSystemEvent,
    from: { senderKey?: Uint8Array | undefined; outgoing?: boolean | undefined } = {},
  ): void {
    const outgoing = from.outgoing ?? true;
    this.deps.store.messages.insert({
      conversationId,
      uid,
      senderKey: Buffer.from(from.senderKey ?? this.deps.identity.publicKey),
      outgoing,
      kind: 'system',
      body: null,
      event,
      sentAt: now,
      receivedAt: now,
      state: outgoing ? 'delivered' : 'received',
    });
  }
}
