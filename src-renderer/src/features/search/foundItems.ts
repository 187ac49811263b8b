import type { ConversationSummary, SearchHit } from '../../../../src-shared/contract';
import type { ContactView } from '../../../../src-shared/contract/net';
import { foldName, matchNames, nameQuery } from '../../lib/nameMatch';

/** One row of the combined search results (issue 17 item 6), in the order shown. */
export type FoundItem =
  | { kind: 'conversation'; key: string; conversation: ConversationSummary }
  | { kind: 'contact'; key: string; contact: ContactView }
  | { kind: 'message'; key: string; hit: SearchHit };

/** Enough names to find someone without pushing the messages off a small window. */
const NAMES_LIMIT = 5;

/**
 * Conversations and contacts whose names match the text, then the message
 * hits, like Signal's search. A contact whose DM is already listed (same name)
 * is not listed again; a query with filters is about messages only.
 */
export function foundItems(
  text: string,
  conversations: readonly ConversationSummary[],
  contacts: readonly ContactView[],
  hits: readonly SearchHit[],
): FoundItem[] {
  const words = nameQuery(text);
  const found: FoundItem[] = [];
  if (words) {
    const chats = matchNames(conversations, (c) => c.title, words, NAMES_LIMIT);
    const dmNames = new Set(chats.filter((c) => c.kind === 'dm').map((c) => foldName(c.title)));
    const people = matchNames(
      contacts.filter((c) => !dmNames.has(foldName(c.name))),
      (c) => c.name,
      words,
      NAMES_LIMIT,
    );
    for (const conversation of chats)
      found.push({ kind: 'conversation', key: `c${conversation.id}`, conversation });
    for (const contact of people) found.push({ kind: 'contact', key: `p${contact.id}`, contact });
  }
  for (const hit of hits) found.push({ kind: 'message', key: `m${hit.messageId}`, hit });
  return found;
}

/**
 * Who sent a hit, when it says more than the conversation's name: "You", or the
 * member of a group; nothing for the other person of a DM ("Bob · Bob" before).
 */
export function hitSender(hit: SearchHit, kind: ConversationSummary['kind'] | undefined): string | null {
  if (hit.outgoing) return 'You';
  if (kind === 'dm' || hit.senderName === hit.conversationName) return null;
  return hit.senderName;
}
