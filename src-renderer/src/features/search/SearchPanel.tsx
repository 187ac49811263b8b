import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '../../../../src-shared/contract';
import { SearchIcon } from '../../components/Icons';
import { sliceHighlights } from '../../lib/highlight';
import { formatDateTime, isoDay } from '../../lib/time';
import { useAppStore } from '../../store/appStore';

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

/**
 * The search dialog (Ctrl/Cmd+K): as-you-type results, keyboard navigation
 * (Up/Down/Enter/Escape, a combobox over a listbox), filter chips and a scope
 * toggle. Enter or click jumps to the message in its conversation.
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

  const [active, setActive] = useState(0);
  const [shownHits, setShownHits] = useState(hits);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const listId = useId();
  const titleId = useId();
  const [now] = useState(() => Date.now());

  // New results start at the top again (adjusting state while rendering, React's documented pattern).
  if (shownHits !== hits) {
    setShownHits(hits);
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
  const activeHit = hits[active];

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.target !== inputRef.current) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (hits.length === 0) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + hits.length) % hits.length);
    } else if (event.key === 'Enter' && activeHit) {
      event.preventDefault();
      void openHit(activeHit);
    }
  }

  function addChip(chip: Chip) {
    setText(withChip(text, chip.insert));
    inputRef.current?.focus();
  }

  const showEmpty = !pending && answered !== null && answered.trim() !== '' && hits.length === 0 && !error;
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
          Search messages
        </h2>
        <div className="search-panel__box">
          <SearchIcon />
          <input
            ref={inputRef}
            className="search-panel__input"
            type="text"
            role="combobox"
            aria-label="Search messages"
            aria-expanded={hits.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={activeHit ? `${listId}-${active}` : undefined}
            placeholder="Search messages — try word from:Name"
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
        <ul
          ref={listRef}
          id={listId}
          className="search-results"
          role="listbox"
          aria-label="Results"
          data-testid="search-results"
          data-query={answered ?? undefined}
        >
          {hits.map((hit, i) => (
            <li
              key={`${hit.messageId}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`hit${i === active ? ' is-active' : ''}`}
              data-testid="search-hit"
              data-message-id={hit.messageId}
              onMouseMove={() => setActive(i)}
              onClick={() => void openHit(hit)}
            >
              <span className="hit__top">
                <span className="hit__conversation" data-testid="search-hit-conversation">
                  {hit.conversationName}
                </span>
                <span className="hit__sender" data-testid="search-hit-sender">
                  {hit.outgoing ? 'You' : hit.senderName}
                </span>
                <time className="hit__date" dateTime={new Date(hit.sentAt).toISOString()}>
                  {formatDateTime(hit.sentAt)}
                </time>
              </span>
              <Snippet hit={hit} />
            </li>
          ))}
        </ul>
        <p className="search-panel__status" role="status" data-testid="search-status">
          {showEmpty
            ? 'No messages match.'
            : hits.length > 0 && !pending
              ? `${hits.length === 1 ? '1 result' : `${hits.length} results`}. Up and Down to choose, Enter to open.`
              : ''}
        </p>
      </div>
    </div>
  );
}
