import type { AppliedCommit, Role } from '../mls';
import type { Db } from '../store/encryptedDatabase';
import type { Store } from '../store/store';

/**
 * The chat's system lines for group changes ("Ada added Bob", "You left"),
 * written inside the transaction that applied the change (GroupOps), and
 * the names they use: "You", a contact's name, the name a member announced
 * in the group, or "someone".
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const ROLE_TEXT: Record<Role, string> = { owner: 'the owner', admin: 'an admin', member: 'a member' };

export interface GroupSystemLinesDeps {
  db: Db;
  store: Store;
  identity: { publicKey: Uint8Array };
}

export class GroupSystemLines {
  constructor(private readonly deps: GroupSystemLinesDeps) {}

  /** "Ada added Bob", "Bob left", "Ada renamed the group to X", "Ada made Bob an admin". */
  describe(conversationId: number, c: AppliedCommit, now: number): void {
    // An external commit is a member's device re-joining (resync): nothing changes for the
    // chat, unless the leaf it replaced is this device's (restored on another machine).
    if (!c.sender) {
      if (c.changes.removedSelf) {
        this.deps.store.messages.insert({
          conversationId,
          uid: `sys:${conversationId}:${c.epoch}:replaced`,
          senderKey: Buffer.from(this.deps.identity.publicKey),
          outgoing: true,
          kind: 'system',
          body: 'This profile was restored from a backup on another device, which took over this conversation. This device can no longer send or read new messages here.',
          sentAt: now,
          receivedAt: now,
          state: 'delivered',
        });
      }
      return;
    }
    const actorKey = c.sender.identityKey;
    const actorIsSelf = c.sender.isSelf;
    const actor = this.nameOf(actorKey, true);
    const lines: string[] = [];
    const selfKey = hex(this.deps.identity.publicKey);
    const leavers = new Set(c.summary.leavers.map(hex));
    const removedUsers = new Map(c.changes.removed.map((m) => [hex(m.identityKey), m.identityKey]));
    const addedUsers = new Map(c.changes.added.map((m) => [hex(m.identityKey), m.identityKey]));
    const added = [...addedUsers].filter(([k]) => !removedUsers.has(k)).map(([, key]) => this.nameOf(key));
    if (added.length > 0) lines.push(`${actor} added ${listOf(added)}`);
    for (const [k, key] of removedUsers) {
      if (addedUsers.has(k)) continue;
      if (leavers.has(k)) {
        // This device already said "You left" when it proposed leaving.
        if (k !== selfKey) lines.push(`${this.nameOf(key, true)} left`);
      } else {
        lines.push(`${actor} removed ${this.nameOf(key)}`);
      }
    }
    if (c.changes.renamed) lines.push(`${actor} renamed the group to “${c.summary.name}”`);
    for (const r of c.summary.roleChanges) {
      lines.push(`${actor} made ${this.nameOf(r.identityKey)} ${ROLE_TEXT[r.role]}`);
    }
    // A removed device's state stays at the old epoch: its lines get their own uids.
    const uidBase = `sys:${conversationId}:${c.epoch}${c.changes.removedSelf ? ':out' : ''}`;
    lines.forEach((body, i) =>
      this.deps.store.messages.insert({
        conversationId,
        uid: `${uidBase}:${i}`,
        senderKey: Buffer.from(actorKey),
        outgoing: actorIsSelf,
        kind: 'system',
        body,
        sentAt: now,
        receivedAt: now,
        state: actorIsSelf ? 'delivered' : 'received',
      }),
    );
  }

  markLeft(id: number, now: number): void {
    this.deps.db.prepare('UPDATE conversations SET left_at = coalesce(left_at, ?) WHERE id = ?').run(now, id);
    this.deps.store.messages.insert({
      conversationId: id,
      uid: `sys:${id}:left:${now}`,
      senderKey: Buffer.from(this.deps.identity.publicKey),
      outgoing: true,
      kind: 'system',
      body: 'You left',
      sentAt: now,
      receivedAt: now,
      state: 'delivered',
    });
  }

  /** A user's name as this device knows it: "You", a contact's name, or "someone". */
  nameOf(identityKey: Uint8Array, capital = false): string {
    if (hex(identityKey) === hex(this.deps.identity.publicKey)) return capital ? 'You' : 'you';
    const r = this.deps.db
      .prepare('SELECT coalesce(local_name, display_name) AS name FROM contacts WHERE identity_key = ?')
      .get(Buffer.from(identityKey)) as { name: string } | undefined;
    if (r) return r.name;
    // A member who is not a contact: the name announced in the group.
    const d = this.deps.db
      .prepare('SELECT name FROM devices WHERE identity_key = ? AND name IS NOT NULL LIMIT 1')
      .get(Buffer.from(identityKey)) as { name: string } | undefined;
    if (d) return d.name;
    return capital ? 'Someone' : 'someone';
  }
}

function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
