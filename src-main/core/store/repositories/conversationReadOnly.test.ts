import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadOnlyReason } from '../../../../src-shared/contract';
import { readOnlyWords } from '../../../../src-renderer/src/features/chat/readOnlyWords';
import { clearResync, markGroupsForResync } from '../../groups/resync';
import { ADA, BOB, ME, insertIdentity, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { ContactRepository } from './contactRepository';
import { ConversationRepository } from './conversationRepository';
import { MessageRepository } from './messageRepository';
import { ResyncRepository } from './resyncRepository';

/**
 * ConversationSummary.readOnly: the reason the chat shows instead of the
 * composer. Each case is set up the way the core records it (groupOps.ts,
 * contactsService.ts, resync.ts) and read back through list() and get(): as
 * data (the core writes no words, issue 16 item 5), said here by the
 * renderer's presenter as the chat says it.
 */

let t: TempDatabase;
let conversations: ConversationRepository;
let messages: MessageRepository;
let contacts: ContactRepository;

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  conversations = new ConversationRepository(t.db);
  messages = new MessageRepository(t.db);
  contacts = new ContactRepository(t.db);
});
afterEach(() => t.dispose());

function reasonOf(id: number): ReadOnlyReason | null | undefined {
  const listed = conversations.list().find((c) => c.id === id)?.readOnly;
  expect(conversations.get(id).readOnly).toEqual(listed);
  return listed;
}

/** The words the chat shows for the reason (null: writable). */
function readOnlyOf(id: number): string | null | undefined {
  const reason = reasonOf(id);
  return reason ? readOnlyWords(reason, conversations.get(id).title) : reason;
}

function setLeft(id: number, at: number): void {
  t.db.prepare('UPDATE conversations SET left_at = ? WHERE id = ?').run(at, id);
}

/** A system row as groupOps.ts writes it. */
function systemRow(conversationId: number, uid: string, body: string, at: number): void {
  messages.insert({
    conversationId,
    uid,
    senderKey: ME,
    outgoing: true,
    kind: 'system',
    body,
    sentAt: at,
    receivedAt: at,
    state: 'delivered',
  });
}

describe('ConversationSummary.readOnly', () => {
  it('is null for a group the user is in and a DM with a contact in good standing', () => {
    const ada = contacts.upsert(ADA, 'Ada', 0);
    const dm = conversations.create({ kind: 'dm', contactId: ada, createdAt: 0 });
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    expect(readOnlyOf(dm)).toBeNull();
    expect(readOnlyOf(team)).toBeNull();
  });

  it('says "You left this group." after the user left', () => {
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    const other = conversations.create({ kind: 'group', name: 'Other', createdAt: 0 });
    // Another conversation's "left" row must not leak into this one.
    systemRow(other, `sys:${other}:left:5`, 'You left', 5);
    setLeft(team, 10);
    systemRow(team, `sys:${team}:left:10`, 'You left', 10);
    expect(reasonOf(team)).toEqual({ kind: 'left' });
    expect(readOnlyOf(team)).toBe('You left this group.');
  });

  it('says "You were removed from this group." when a commit removed the user', () => {
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    const neighbour = conversations.create({ kind: 'group', name: 'Neighbour', createdAt: 0 });
    systemRow(neighbour, `sys:${neighbour}:left:3`, 'You left', 3);
    systemRow(team, `sys:${team}:4:out:0`, 'Ada removed you', 4);
    setLeft(team, 4);
    expect(readOnlyOf(team)).toBe('You were removed from this group.');
    expect(readOnlyOf(neighbour)).toBeNull();
  });

  it('explains when another device restored from this profile took the conversation over', () => {
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    systemRow(team, `sys:${team}:7:replaced`, 'This profile was restored…', 7);
    setLeft(team, 7);
    expect(readOnlyOf(team)).toMatch(/restored on another device/);
  });

  it('names the contact the user blocked, and clears when unblocked', () => {
    const bob = contacts.upsert(BOB, 'Bob', 0);
    const dm = conversations.create({ kind: 'dm', contactId: bob, createdAt: 0 });
    contacts.setBlocked(bob, true);
    // The contact's name is not in the reason: a rename shows at once, as the title does.
    expect(reasonOf(dm)).toEqual({ kind: 'blocked' });
    expect(readOnlyOf(dm)).toBe('You blocked Bob.');
    contacts.rename(bob, 'Bobby');
    expect(readOnlyOf(dm)).toBe('You blocked Bobby.');
    contacts.setBlocked(bob, false);
    expect(readOnlyOf(dm)).toBeNull();
  });

  it('says the contact was removed, and clears when they are added again', () => {
    const bob = contacts.upsert(BOB, 'Bob', 0);
    const dm = conversations.create({ kind: 'dm', contactId: bob, createdAt: 0 });
    contacts.setRemoved(bob, 5);
    expect(readOnlyOf(dm)).toBe('You removed Bob from your contacts.');
    contacts.upsert(BOB, 'Bob', 6);
    expect(readOnlyOf(dm)).toBeNull();
  });

  it('waits for a resync after a restore, until the conversation is rejoined', () => {
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    const kept = conversations.create({ kind: 'group', name: 'Kept', createdAt: 0 });
    t.db
      .prepare(
        `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at)
         VALUES (?, ?, 3, x'00', 0)`,
      )
      .run(team, Buffer.alloc(16, 9));
    expect(markGroupsForResync(new ResyncRepository(t.db), null)).toBe(1);
    const waiting = 'Waiting for a group member to come online to finish restoring this conversation.';
    expect(readOnlyOf(team)).toBe(waiting);
    expect(reasonOf(team)).toEqual({ kind: 'restoring', waitingFor: [], others: 0 });
    expect(conversations.list({ filter: 'tea' })[0]?.readOnly).toEqual(reasonOf(team));
    expect(readOnlyOf(kept)).toBeNull();
    clearResync(new ResyncRepository(t.db), team);
    expect(readOnlyOf(team)).toBeNull();
  });

  it('names the members it waits for after a restore (issue 13: the UI says what it waits for)', () => {
    const dm = conversations.create({ kind: 'dm', contactId: contacts.upsert(BOB, 'Bob', 0), createdAt: 0 });
    const crew = conversations.create({ kind: 'group', name: 'Crew', createdAt: 0 });
    const big = conversations.create({ kind: 'group', name: 'Big', createdAt: 0 });
    contacts.upsert(ADA, 'Ada', 0);
    const member = t.db.prepare(
      'INSERT INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, 0)',
    );
    const device = t.db.prepare(
      'INSERT INTO devices (peer_id, identity_key, name, created_at) VALUES (?, ?, ?, 0)',
    );
    for (const [id, key] of [
      [dm, BOB],
      [dm, ME],
      [crew, ME],
      [crew, BOB],
      [crew, ADA],
      [big, ME],
      [big, ADA],
      [big, BOB],
    ] as const)
      member.run(id, key, 'member');
    // A member who is not a contact is named as announced in the group; one never named is "other".
    const carl = Buffer.alloc(32, 7);
    device.run('peer-carl', carl, 'Carl');
    member.run(big, carl, 'member');
    member.run(big, Buffer.alloc(32, 8), 'member');
    member.run(big, Buffer.alloc(32, 9), 'member');
    const insertGroup = t.db.prepare(
      `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) VALUES (?, ?, 1, x'00', 0)`,
    );
    for (const id of [dm, crew, big]) insertGroup.run(id, Buffer.alloc(16, id));
    expect(markGroupsForResync(new ResyncRepository(t.db), null)).toBe(3);
    expect(readOnlyOf(dm)).toBe('Waiting for Bob to come online to finish restoring this conversation.');
    expect(readOnlyOf(crew)).toBe(
      'Waiting for Ada or Bob to come online to finish restoring this conversation.',
    );
    expect(reasonOf(big)).toEqual({ kind: 'restoring', waitingFor: ['Ada', 'Bob', 'Carl'], others: 2 });
    expect(readOnlyOf(big)).toBe(
      'Waiting for Ada, Bob, Carl or 2 other members to come online to finish restoring this conversation.',
    );
    clearResync(new ResyncRepository(t.db), crew);
    expect(readOnlyOf(crew)).toBeNull();
  });

  it('ignores a damaged resync marker instead of failing the list', () => {
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    t.db.prepare(`INSERT INTO settings (key, value) VALUES ('mls.resync_pending', '{not json')`).run();
    expect(readOnlyOf(team)).toBeNull();
    t.db
      .prepare(`UPDATE settings SET value = ? WHERE key = 'mls.resync_pending'`)
      .run(JSON.stringify([{ id: 'x' }, null, { id: team, groupId: 'ab' }]));
    expect(readOnlyOf(team)).toMatch(/^Waiting for a group member/);
  });
});

describe('the core writes no read-only words (issue 16 item 5)', () => {
  // Thrown errors (contactsService's refusal to send) are messages the UI maps, not content: not scanned for.
  it('no sentence of the read-only notice is in src-main/core', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const core = join(__dirname, '..', '..');
    const sentences = [
      'You left this group',
      'You were removed from this group',
      'took over this conversation',
      'has ended on this device',
      'to come online to finish restoring',
    ];
    const found: string[] = [];
    for (const entry of readdirSync(core, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const s of sentences) if (text.includes(s)) found.push(`${entry.name}: ${s}`);
    }
    expect(found).toEqual([]);
  });
});
