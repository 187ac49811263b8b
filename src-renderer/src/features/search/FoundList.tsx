import type { Ref } from 'react';
import type { ConversationSummary, SearchHit } from '../../../../src-shared/contract';
import { sliceHighlights } from '../../lib/highlight';
import { formatDateTime, formatStamp } from '../../lib/time';
import { initialOf } from '../home/initialOf';
import { hitSender, type FoundItem } from './foundItems';

function Snippet({ hit }: { hit: SearchHit }) {
  // Text slices and <mark> elements, never an HTML string: the snippet is message content.
  return (
    <span className="hit__snippet" data-testid="search-hit-snippet">
      {sliceHighlights(hit.snippet, hit.highlights).map((part, i) =>
        part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </span>
  );
}

const HEADINGS: Record<FoundItem['kind'], string> = {
  conversation: 'Conversations',
  contact: 'Contacts',
  message: 'Messages',
};

export interface FoundListProps {
  ref: Ref<HTMLDivElement>;
  id: string;
  items: readonly FoundItem[];
  active: number;
  /** The text the message hits answer. */
  query: string | null;
  conversations: readonly ConversationSummary[];
  /** Names matched but no message did: say so under "Messages". */
  noMessages: boolean;
  /** When the panel opened: "today" and "yesterday" are counted from it. */
  now: number;
  onHover: (index: number) => void;
  onOpen: (item: FoundItem) => void;
}

/**
 * The combined results: one listbox (one tab stop; the search box keeps focus
 * and points at the active option) with a group per kind, Signal-style.
 */
export function FoundList({
  ref,
  id,
  items,
  active,
  query,
  conversations,
  noMessages,
  now,
  onHover,
  onOpen,
}: FoundListProps) {
  const kindOf = (conversationId: number) => conversations.find((c) => c.id === conversationId)?.kind;
  const groups = (['conversation', 'contact', 'message'] as const)
    .map((kind) => ({
      kind,
      entries: items.map((item, index) => ({ item, index })).filter((e) => e.item.kind === kind),
    }))
    .filter((g) => g.entries.length > 0);

  function option(item: FoundItem, index: number) {
    const selected = index === active;
    const common = {
      id: `${id}-${index}`,
      role: 'option' as const,
      'aria-selected': selected,
      onMouseMove: () => onHover(index),
      onClick: () => onOpen(item),
    };
    if (item.kind === 'message') {
      const { hit } = item;
      const sender = hitSender(hit, kindOf(hit.conversationId));
      return (
        <div
          key={item.key}
          {...common}
          className={`hit${selected ? ' is-active' : ''}`}
          data-testid="search-hit"
          data-message-id={hit.messageId}
        >
          <span className="hit__top">
            <span className="hit__conversation" data-testid="search-hit-conversation">
              {hit.conversationName}
            </span>
            {sender !== null ? (
              <span className="hit__sender" data-testid="search-hit-sender">
                {sender}
              </span>
            ) : null}
            <time
              className="hit__date"
              dateTime={new Date(hit.sentAt).toISOString()}
              title={formatDateTime(hit.sentAt)}
              data-testid="search-hit-date"
            >
              {formatStamp(hit.sentAt, now)}
            </time>
          </span>
          <Snippet hit={hit} />
        </div>
      );
    }
    const name = item.kind === 'conversation' ? item.conversation.title : item.contact.name;
    const detail =
      item.kind === 'conversation'
        ? item.conversation.kind === 'group'
          ? 'Group'
          : 'Direct message'
        : item.contact.blocked
          ? 'Contact · blocked'
          : 'Contact';
    return (
      <div
        key={item.key}
        {...common}
        className={`hit hit--name${selected ? ' is-active' : ''}`}
        data-testid={item.kind === 'conversation' ? 'search-conversation' : 'search-contact'}
      >
        <span
          className={`avatar avatar--xs avatar--${item.kind === 'conversation' ? item.conversation.kind : 'dm'}`}
          aria-hidden="true"
        >
          {initialOf(name)}
        </span>
        <span className="hit__name-text">
          <span className="hit__name">{name}</span>
          <span className="hit__detail">{detail}</span>
        </span>
      </div>
    );
  }

  return (
    <div
      ref={ref}
      id={id}
      className="search-results"
      role="listbox"
      aria-label="Results"
      data-testid="search-results"
      data-query={query ?? undefined}
    >
      {groups.map(({ kind, entries }) => (
        <div key={kind} role="group" aria-labelledby={`${id}-${kind}`} data-testid={`search-group-${kind}`}>
          <div className="search-results__heading" id={`${id}-${kind}`} role="presentation">
            {HEADINGS[kind]}
          </div>
          {entries.map(({ item, index }) => option(item, index))}
        </div>
      ))}
      {noMessages ? (
        <p className="search-results__none" data-testid="search-no-messages">
          No messages match.
        </p>
      ) : null}
    </div>
  );
}
