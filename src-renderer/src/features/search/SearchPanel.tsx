import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { SearchIcon } from '../../components/Icons';
import { isoDay } from '../../lib/time';
import { useAppStore } from '../../store/appStore';
import { foundItems, type FoundItem } from './foundItems';
import { FoundList } from './FoundList';

interface Chip {
  id: string;
  label: string;
  /** Text added to the query; a trailing ':' leaves the caret ready for the value. */
  insert: string;
}

function chips(now: number): Chip[] {
  const weekAgo = isoDay(now - 7 * 24 * 60 * 60_000);
  return [
    { id: 'from', label: 'from:', insert: 'from:' },
    { id: 'in', label: 'in:', insert: 'in:' },
    { id: 'has-file', label: 'has:file', insert: 'has:file ' },
    { id: 'after', label: 'Last 7 days', insert: `after:${weekAgo} ` },
  ];
}

/** Adds a filter to the query at the end, with a separating space. */
function withChip(text: string, insert: string): string {
  if (text === '' || text.endsWith(' ')) return text + insert;
  return `${text} ${insert}`;
}

function countOf(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/** "2 conversations, 1 contact and 5 messages" for the status line. */
function summary(items: readonly FoundItem[]): string {
  const parts: string[] = [];
  const count = (kind: FoundItem['kind']) => items.filter((i) => i.kind === kind).length;
  const chats = count('conversation');
  const people = count('contact');
  const messages = count('message');
  if (chats > 0) parts.push(countOf(chats, 'conversation', 'conversations'));
  if (people > 0) parts.push(countOf(people, 'contact', 'contacts'));
  if (messages > 0) parts.push(countOf(messages, 'message', 'messages'));
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}` : (parts[0] ?? '');
}

/**
 * The search dialog (Ctrl/Cmd+K): as-you-type results, keyboard navigation
 * (Up/Down/Enter/Escape, a combobox over a listbox), filter chips and a scope
 * toggle. Conversations and contacts found by name come first, then the
 * messages (issue 17 item 6); Enter or click opens the one chosen.
 */
export function SearchPanel() {
  const text = useAppStore((s) => s.searchText);
  const scope = useAppStore((s) => s.searchScope);
  const hits = useAppStore((s) => s.searchHits);
  const problems = useAppStore((s) => s.searchProblems);
  const error = useAppStore((s) => s.searchError);
  const pending = useAppStore((s) => s.searchPending);
  const answered = useAppStore((s) => s.searchAnswered);
  const chatTitle = useAppStore((s) =>
    s.chat ? (s.conversations.find((c) => c.id === s.chat?.conversationId)?.title ?? null) : null,
  );
  const setText = useAppStore((s) => s.setSearchText);
  const setScope = useAppStore((s) => s.setSearchScope);
  const close = useAppStore((s) => s.closeSearch);
  const openHit = useAppStore((s) => s.openHit);
  const openFoundConversation = useAppStore((s) => s.openFoundConversation);
  const openFoundContact = useAppStore((s) => s.openFoundContact);
  const conversations = useAppStore((s) => s.conversations);
  const contacts = useAppStore((s) => s.contacts);

  // Names only when searching everywhere: "This conversation" is about its messages.
  const items = useMemo(
    () =>
      foundItems(scope === 'conversation' && chatTitle !== null ? '' : text, conversations, contacts, hits),
    [text, scope, chatTitle, conversations, contacts, hits],
  );

  const [active, setActive] = useState(0);
  const [shownItems, setShownItems] = useState(items);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const listId = useId();
  const titleId = useId();
  const [now] = useState(() => Date.now());

  // New results start at the top again (adjusting state while rendering, React's documented pattern).
  if (shownItems !== items) {
    setShownItems(items);
    setActive(0);
  }

  // Focus the box on open and give focus back to where it was on close.
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    inputRef.current?.focus();
    inputRef.current?.select();
    return () => previous?.focus();
  }, []);

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const inConversation = chatTitle !== null;
  const effectiveScope = inConversation ? scope : 'everywhere';
  const activeItem = items[active];

  function open(item: FoundItem) {
    if (item.kind === 'message') void openHit(item.hit);
    else if (item.kind === 'conversation') void openFoundConversation(item.conversation.id);
    else void openFoundContact(item.contact.id);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.target !== inputRef.current) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (items.length === 0) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + items.length) % items.length);
    } else if (event.key === 'Enter' && activeItem) {
      event.preventDefault();
      open(activeItem);
    }
  }

  function addChip(chip: Chip) {
    setText(withChip(text, chip.insert));
    inputRef.current?.focus();
  }

  const showEmpty = !pending && answered !== null && answered.trim() !== '' && items.length === 0 && !error;
  const noMessages =
    !pending && answered !== null && answered.trim() !== '' && hits.length === 0 && items.length > 0;
  return (
    <div className="search-overlay" data-testid="search-overlay" onMouseDown={close}>
      <div
        className="search-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="search-panel"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 className="visually-hidden" id={titleId}>
          Search
        </h2>
        <div className="search-panel__box">
          <SearchIcon />
          <input
            ref={inputRef}
            className="search-panel__input"
            type="text"
            role="combobox"
            aria-label="Search conversations, contacts and messages"
            aria-expanded={items.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={activeItem ? `${listId}-${active}` : undefined}
            placeholder="Search people and messages — try word from:Name"
            autoComplete="off"
            spellCheck={false}
            data-testid="search-input"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          {pending ? <span className="spinner search-panel__spinner" aria-hidden="true" /> : null}
          <button type="button" className="search-panel__close" data-testid="search-close" onClick={close}>
            <span aria-hidden="true">Esc</span>
            <span className="visually-hidden">Close search</span>
          </button>
        </div>
        <div className="search-panel__tools">
          <div className="chips" role="group" aria-label="Add a filter">
            {chips(now).map((chip) => (
              <button
                key={chip.id}
                type="button"
                className="chip"
                data-testid={`search-chip-${chip.id}`}
                onClick={() => addChip(chip)}
              >
                {chip.label}
              </button>
            ))}
          </div>
          {inConversation ? (
            <div className="scope" role="radiogroup" aria-label="Search in">
              <button
                type="button"
                role="radio"
                aria-checked={effectiveScope === 'conversation'}
                className="scope__option"
                data-testid="search-scope-conversation"
                onClick={() => setScope('conversation')}
              >
                This conversation
              </button>
              <button
                type="button"
                role="radio"
                aria-checked={effectiveScope === 'everywhere'}
                className="scope__option"
                data-testid="search-scope-everywhere"
                onClick={() => setScope('everywhere')}
              >
                Everywhere
              </button>
            </div>
          ) : null}
        </div>
        {problems.length > 0 ? (
          <ul className="search-panel__problems" data-testid="search-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        {error ? (
          <p className="search-panel__error" role="alert" data-testid="search-error">
            {error.message}
          </p>
        ) : null}
        <FoundList
          ref={listRef}
          id={listId}
          items={items}
          active={active}
          query={answered}
          conversations={conversations}
          noMessages={noMessages}
          now={now}
          onHover={setActive}
          onOpen={open}
        />
        <p className="search-panel__status" role="status" data-testid="search-status">
          {showEmpty
            ? 'No messages match.'
            : items.length > 0 && !pending
              ? `${summary(items)}. Up and Down to choose, Enter to open.`
              : ''}
        </p>
      </div>
    </div>
  );
}
