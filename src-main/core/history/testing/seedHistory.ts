import { createHash, randomBytes } from 'node:crypto';
import { ProfileRepositories } from '../../store/profileRepositories';
import type { Db } from '../../store/encryptedDatabase';

export interface SeededHistory {
  me: Buffer;
  dm: number;
  group: number;
  /** uids of every message, in order of insertion. */
  uids: string[];
}

/**
 * A profile's history written through the real repositories: a DM and a
 * group, `count` text messages spread over them from three people, every 7th
 * edited twice, every 5th with a reaction, every 11th deleted for everyone,
 * every 13th a file (with its attachment row and per-file key), read receipts
 * on the DM. Used by the import test and the bench.
 */
export function seedHistory(
  db: Db,
  count: number,
  options: { now?: number; text?: (i: number) => string } = {},
): SeededHistory {
  const repos = new ProfileRepositories(db);
  const now = options.now ?? 1_700_000_000_000;
  const me = (db.prepare('SELECT public_key FROM identity').get() as { public_key: Buffer }).public_key;
  const bob = randomBytes(32);
  const cy = randomBytes(32);
  const bobId = repos.contacts.upsert(bob, 'Bob', now);
  repos.contacts.upsert(cy, 'Cy', now);
  db.prepare(
    `INSERT INTO devices (peer_id, identity_key, addresses, created_at, seal_public) VALUES (?, ?, '[]', ?, ?)`,
  ).run(`12D3KooWBob${randomBytes(4).toString('hex')}`, bob, now, randomBytes(1216));
  const dm = repos.conversations.create({
    kind: 'dm',
    contactId: bobId,
    groupId: randomBytes(16),
    createdAt: now,
  });
  const group = repos.conversations.create({
    kind: 'group',
    name: 'Team',
    groupId: randomBytes(16),
    createdAt: now,
  });
  const member = db.prepare(
    'INSERT INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, ?)',
  );
  member.run(dm, me, 'owner', now);
  member.run(dm, bob, 'member', now);
  member.run(group, me, 'owner', now);
  member.run(group, bob, 'admin', now);
  member.run(group, cy, 'member', now);
  const text = options.text ?? ((i: number) => `message number ${i} about quokka${i % 97}`);
  const uids: string[] = [];
  const senders = [me, bob, cy];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const conversationId = i % 3 === 0 ? dm : group;
      const sender = conversationId === dm ? (i % 2 === 0 ? me : bob) : (senders[i % 3] as Buffer);
      const outgoing = sender.equals(me);
      const uid = `m${i.toString(36)}-${randomBytes(4).toString('hex')}`;
      const isFile = i % 13 === 12;
      const { id } = repos.messages.insert({
        conversationId,
        uid,
        senderKey: sender,
        outgoing,
        kind: isFile ? 'file' : 'text',
        body: isFile ? `file-${i}.bin` : text(i),
        sentAt: now + i,
        receivedAt: now + i,
        state: outgoing ? 'delivered' : 'received',
        hasFile: isFile,
      });
      uids.push(uid);
      if (isFile) {
        const bytes = randomBytes(64);
        repos.attachments.insert({
          messageId: id,
          name: `file-${i}.bin`,
          mime: 'application/octet-stream',
          size: bytes.length,
          sha256: createHash('sha256').update(bytes).digest(),
          key: randomBytes(32),
          path: i % 2 === 0 ? `sealed-${uid}` : null,
          state: i % 2 === 0 ? 'complete' : 'pending',
          transferred: i % 2 === 0 ? bytes.length : 0,
          thumbnail: null,
          chunkSize: 262144,
          chunkCount: 1,
          sourcePeer: null,
          error: null,
          createdAt: now + i,
        });
        continue;
      }
      if (i % 7 === 0) {
        repos.messages.edit(uid, sender, `${text(i)} (edited once)`, now + i + 1);
        repos.messages.edit(uid, sender, `${text(i)} (edited twice)`, now + i + 2);
      }
      if (i % 5 === 0) repos.messages.addReaction(id, senders[(i + 1) % 3] as Buffer, '👍', now + i + 3);
      if (i % 11 === 10) repos.messages.deleteForEveryone(uid, sender, now + i + 4);
    }
  })();
  const last = db
    .prepare('SELECT id, sent_at FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1')
    .get(dm) as { id: number; sent_at: number } | undefined;
  if (last) repos.messages.recordRead(dm, bob, { sentAt: last.sent_at, id: last.id }, now + count, me);
  return { me, dm, group, uids };
}
