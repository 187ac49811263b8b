import type { Directory } from '../contacts/directory';
import type { MlsGroupState } from '../mls';
import type { Db } from '../store/encryptedDatabase';

/**
 * Mirrors a group state's members (users, with roles) into `members`, and
 * their devices into the directory as known peers, inside the caller's
 * transaction: the MLS state is the truth, the tables are what the rest of
 * the app (roles, names, file access, search filters) reads.
 */
export function syncMembers(
  deps: { db: Db; directory: Pick<Directory, 'upsertDevice'> },
  conversationId: number,
  state: MlsGroupState,
  now: number,
): void {
  const { db, directory } = deps;
  db.prepare('DELETE FROM members WHERE conversation_id = ?').run(conversationId);
  const insert = db.prepare(
    'INSERT OR IGNORE INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, ?)',
  );
  for (const m of state.members) {
    insert.run(conversationId, Buffer.from(m.identityKey), m.role, now);
    if (!m.isSelf) directory.upsertDevice({ peerId: m.peerId, identityKey: m.identityKey });
  }
}
