import { describe, expect, it } from 'vitest';
import type { ConversationSummary, SearchHit } from '../../../../src-shared/contract';
import type { ContactView } from '../../../../src-shared/contract/net';
import { foundItems, hitSender } from './foundItems';

function conversation(id: number, kind: 'dm' | 'group', title: string): ConversationSummary {
  return { id, kind, title } as ConversationSummary;
}
function contact(id: number, name: string): ContactView {
  return { id, name, identityKey: '00', verified: false, blocked: false, keyChanged: false };
}
function hit(messageId: number, conversationName: string, senderName: string, outgoing = false): SearchHit {
  return {
    messageId,
    conversationId: 1,
    conversationName,
    senderName,
    outgoing,
    sentAt: 0,
    snippet: 'x',
    highlights: [],
    position: { conversationId: 1, messageId, sentAt: 0 },
  };
}

describe('combined search results', () => {
  const conversations = [
    conversation(1, 'dm', 'Bob Marley'),
    conversation(2, 'group', 'Bob’s birthday'),
    conversation(3, 'dm', 'Ann'),
  ];
  const contacts = [contact(10, 'Bob Marley'), contact(11, 'Bobby Tables'), contact(12, 'Carl')];

  it('lists conversations, then contacts not already listed, then messages', () => {
    const items = foundItems('bob', conversations, contacts, [hit(7, 'Ann', 'Ann')]);
    expect(items.map((i) => i.key)).toEqual(['c1', 'c2', 'p11', 'm7']);
  });

  it('keeps a query with filters to messages', () => {
    const items = foundItems('from:bob cake', conversations, contacts, [hit(7, 'Ann', 'Ann')]);
    expect(items.map((i) => i.key)).toEqual(['m7']);
  });

  it('names the sender only when it adds something', () => {
    expect(hitSender(hit(1, 'Bob', 'Bob'), 'dm')).toBeNull();
    expect(hitSender(hit(1, 'Bob', 'Bob', true), 'dm')).toBe('You');
    expect(hitSender(hit(1, 'Book club', 'Ann'), 'group')).toBe('Ann');
  });
});
