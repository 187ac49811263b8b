import { prepared } from '../prepared';
import type { Db } from '../encryptedDatabase';

/**
 * What a conversation restored from a backup waits for before it is
 * writable again (groups/resync.ts): a member's device online to hand out
 * the group's GroupInfo. Named, so the user knows whom to ask: "Waiting for
 * Bob or Carl to come online…". Names as the chat shows them: the contact's
 * local name or display name, else the name the member announced in the
 * group. Members whose name this device never learnt count as "others".
 */

const NAMED = 3;

const FALLBACK = 'Waiting for a group member to come online to finish restoring this conversation.';

export function resyncWaitingText(db: Db, conversationId: number): string {
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
  if (named.length === 0) return FALLBACK;
  const others = rows.length - Math.min(named.length, NAMED);
  const shown = named.slice(0, NAMED);
  const who =
    others > 0
      ? `${shown.join(', ')} or ${others === 1 ? 'one other member' : `${others} other members`}`
      : shown.length === 1
        ? shown[0]
        : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
  return `Waiting for ${who} to come online to finish restoring this conversation.`;
}
