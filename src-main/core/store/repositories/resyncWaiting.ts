import type { RestoreWaiting } from '../../../../src-shared/contract';
import { prepared } from '../prepared';
import type { Db } from '../encryptedDatabase';

/**
 * What a conversation restored from a backup waits for before it is
 * writable again (groups/resync.ts): a member's device online to hand out
 * the group's GroupInfo. Named, so the user knows whom to ask (the renderer
 * says "Waiting for Bob or Carl to come online…"). Names as the chat shows
 * them: the contact's local name or display name, else the name the member
 * announced in the group. Members whose name this device never learnt count
 * as others; with no name at all, nobody is named (a group member).
 */

const NAMED = 3;

export function resyncWaiting(db: Db, conversationId: number): RestoreWaiting {
  const rows = prepared(
    db,
    `SELECT coalesce(k.local_name, k.display_name,
              (SELECT d.name FROM devices d WHERE d.identity_key = m.identity_key AND d.name IS NOT NULL
               ORDER BY d.peer_id LIMIT 1)) AS name
     FROM members m LEFT JOIN contacts k ON k.identity_key = m.identity_key
     WHERE m.conversation_id = ? AND m.identity_key IS NOT (SELECT public_key FROM identity WHERE id = 1)
     ORDER BY k.id IS NULL, coalesce(k.local_name, k.display_name) COLLATE NOCASE, m.identity_key`,
  ).all(conversationId) as { name: string | null }[];
  const named = rows.map((r) => r.name).filter((n): n is string => n !== null && n.trim() !== '');
  if (named.length === 0) return { kind: 'restoring', waitingFor: [], others: 0 };
  const waitingFor = named.slice(0, NAMED);
  return { kind: 'restoring', waitingFor, others: rows.length - waitingFor.length };
}
