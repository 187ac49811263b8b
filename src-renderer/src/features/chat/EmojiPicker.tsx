import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { useAppStore } from '../../store/appStore';
import { EMOJI_GROUPS, searchEmoji, type EmojiEntry } from '../emoji/emojiSearch';
import { QUICK_EMOJI } from './reactions';

/** Grid columns (styles: .emoji-picker__grid); arrow keys move by this many up and down. */
const COLUMNS = 8;

/**
 * The emoji picker, for reactions and the composer (issue #17 item 4): a
 * search field (names and keywords, e.g. "thumbs", "party", ":+1"), the
 * emoji used last on this device, then every emoji by section with a row of
 * section buttons. The search field has focus on open; Down moves into the
 * grid, arrows move within it, Enter picks (Enter in the field picks the
 * first result), Escape or a click outside closes.
 */
export function EmojiPicker({
  label,
  onPick,
  onClose,
  testId = 'emoji-picker',
  className = '',
  anchor,
}: {
  label: string;
  onPick: (emoji: string) => void;
  onClose: () => void;
  testId?: string;
  className?: string;
  /**
   * The button that opened it, for a picker in a fixed layer (reactions): it
   * opens below the button, or above when there is no room, inside the window.
   */
  anchor?: { left: number; right: number; top: number; bottom: number; alignEnd: boolean };
}) {
  const rootRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const catalog = useAppStore((s) => s.emojiCatalog);
  const catalogError = useAppStore((s) => s.emojiCatalogError);
  const loadCatalog = useAppStore((s) => s.loadEmojiCatalog);
  const recent = useAppStore((s) => s.recentEmoji);
  const noteEmojiUsed = useAppStore((s) => s.noteEmojiUsed);
  const [query, setQuery] = useState('');
  const [preview, setPreview] = useState<{ emoji: string; label: string } | null>(null);

  // The latest onClose, so re-renders of the row (a refresh) neither re-run the effect nor steal focus.
  const closeRef = useRef(onClose);
  const pickRef = useRef(onPick);
  useEffect(() => {
    closeRef.current = onClose;
    pickRef.current = onPick;
  });
  useEffect(() => {
    void loadCatalog();
    function outside(e: MouseEvent) {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) closeRef.current();
    }
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [loadCatalog]);

  // Placed after layout (before paint), when its real size is known; then the search field takes focus.
  useLayoutEffect(() => {
    const el = rootRef.current;
    if (!el) return;
    const focusSearch = () => el.querySelector<HTMLInputElement>('input')?.focus();
    if (!anchor) {
      focusSearch();
      return;
    }
    const { width, height } = el.getBoundingClientRect();
    const margin = 8;
    const below = anchor.bottom + 4;
    const top =
      below + height <= window.innerHeight - margin ? below : Math.max(margin, anchor.top - 4 - height);
    const wanted = anchor.alignEnd ? anchor.right - width : anchor.left;
    const left = Math.min(Math.max(margin, wanted), window.innerWidth - width - margin);
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
    focusSearch();
  }, [anchor]);

  const labels = useMemo(() => new Map(catalog?.map((e) => [e.emoji, e.label]) ?? []), [catalog]);
  const results = useMemo(
    () => (catalog && query.trim() ? searchEmoji(catalog, query) : null),
    [catalog, query],
  );
  const sections = useMemo(() => {
    const byGroup = new Map<number, EmojiEntry[]>();
    for (const e of catalog ?? []) byGroup.set(e.group, [...(byGroup.get(e.group) ?? []), e]);
    return EMOJI_GROUPS.map((g) => ({ ...g, entries: byGroup.get(g.id) ?? [] })).filter(
      (g) => g.entries.length > 0,
    );
  }, [catalog]);
  const recentEntries = (recent.length > 0 ? recent : QUICK_EMOJI).map((emoji) => ({
    emoji,
    label: labels.get(emoji) ?? emoji,
  }));

  const pick = useCallback(
    (emoji: string) => {
      noteEmojiUsed(emoji);
      pickRef.current(emoji);
    },
    [noteEmojiUsed],
  );

  function emojiButtons(): HTMLButtonElement[] {
    return Array.from(rootRef.current?.querySelectorAll<HTMLButtonElement>('.emoji-picker__emoji') ?? []);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    const target = e.target as HTMLElement;
    if (target.tagName === 'INPUT') {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        emojiButtons()[0]?.focus();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        const first = results?.[0]?.emoji;
        if (first) pick(first);
      }
      return;
    }
    const buttons = emojiButtons();
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[e.key];
    if (step === undefined) {
      // Typing while in the grid goes on in the search field.
      if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
        rootRef.current?.querySelector<HTMLInputElement>('input')?.focus();
      }
      return;
    }
    e.preventDefault();
    if (index + step < 0) {
      rootRef.current?.querySelector<HTMLInputElement>('input')?.focus();
      return;
    }
    buttons[Math.min(index + step, buttons.length - 1)]?.focus();
  }

  const shown = preview ?? (results?.[0] ? { emoji: results[0].emoji, label: results[0].label } : null);
  return (
    <div
      ref={rootRef}
      className={`emoji-picker${anchor ? ' emoji-picker--floating' : ''} ${className}`}
      role="dialog"
      aria-label={label}
      data-testid={testId}
      onKeyDown={onKeyDown}
    >
      <input
        type="search"
        className="emoji-picker__input"
        data-testid="emoji-search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query}
        maxLength={40}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setQuery(e.target.value)}
      />
      {results === null ? (
        <div className="emoji-picker__tabs" role="group" aria-label="Sections">
          {sections.map((g) => (
            <button
              key={g.id}
              type="button"
              className="emoji-picker__tab"
              aria-label={g.name}
              title={g.name}
              tabIndex={-1}
              onClick={() =>
                scrollRef.current
                  ?.querySelector(`[data-group="${g.id}"]`)
                  ?.scrollIntoView({ block: 'start', behavior: 'auto' })
              }
            >
              {g.icon}
            </button>
          ))}
        </div>
      ) : null}
      <div
        ref={scrollRef}
        className="emoji-picker__scroll"
        data-testid="emoji-results"
        data-query={results === null ? undefined : query}
        onMouseLeave={() => setPreview(null)}
      >
        {results !== null ? (
          results.length > 0 ? (
            <EmojiGrid
              label={`Emoji matching ${query}`}
              entries={results}
              onPick={pick}
              onPreview={setPreview}
              tabbableFirst
            />
          ) : (
            <p className="emoji-picker__empty" data-testid="emoji-no-results">
              No emoji found for “{query}”
            </p>
          )
        ) : (
          <>
            <h3 className="emoji-picker__heading">{recent.length > 0 ? 'Recent' : 'Frequently used'}</h3>
            <EmojiGrid
              label={recent.length > 0 ? 'Recent' : 'Frequently used'}
              testId="emoji-recent"
              entries={recentEntries}
              onPick={pick}
              onPreview={setPreview}
              tabbableFirst
            />
            {catalogError ? (
              <p className="emoji-picker__empty" role="alert">
                {catalogError}
              </p>
            ) : catalog === null ? (
              <p className="emoji-picker__empty">Loading emoji…</p>
            ) : (
              sections.map((g) => (
                <section key={g.id} data-group={g.id} aria-label={g.name}>
                  <h3 className="emoji-picker__heading">{g.name}</h3>
                  <EmojiGrid label={g.name} entries={g.entries} onPick={pick} onPreview={setPreview} />
                </section>
              ))
            )}
          </>
        )}
      </div>
      <p className="emoji-picker__preview" aria-hidden="true">
        {shown ? (
          <>
            <span className="emoji-picker__preview-emoji">{shown.emoji}</span>
            <span>{shown.label}</span>
          </>
        ) : (
          <span>Pick an emoji</span>
        )}
      </p>
    </div>
  );
}

/** One grid of emoji buttons; memoized so a hover preview does not redraw a thousand buttons. */
const EmojiGrid = memo(function EmojiGrid({
  label,
  entries,
  onPick,
  onPreview,
  testId,
  tabbableFirst = false,
}: {
  label: string;
  entries: ReadonlyArray<{ emoji: string; label: string }>;
  onPick: (emoji: string) => void;
  onPreview: (entry: { emoji: string; label: string }) => void;
  testId?: string;
  /** One tab stop for the whole picker grid: its first emoji (arrow keys do the rest). */
  tabbableFirst?: boolean;
}) {
  return (
    <div className="emoji-picker__grid" role="group" aria-label={label} data-testid={testId}>
      {entries.map((e, i) => (
        <button
          key={e.emoji}
          tabIndex={tabbableFirst && i === 0 ? 0 : -1}
          type="button"
          className="emoji-picker__emoji"
          data-testid="emoji-option"
          data-emoji={e.emoji}
          aria-label={e.label}
          title={e.label}
          onClick={() => onPick(e.emoji)}
          onMouseEnter={() => onPreview(e)}
          onFocus={() => onPreview(e)}
        >
          {e.emoji}
        </button>
      ))}
    </div>
  );
});
