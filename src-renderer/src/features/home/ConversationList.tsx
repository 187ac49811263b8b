import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ConversationSummary } from '../../../../src-shared/contract';
import { ClockIcon, MutedIcon } from '../../components/Icons';
import { formatDateTime, formatRelative } from '../../lib/time';
import { useAppStore } from '../../store/appStore';
import { ContactRequests } from '../contacts/ContactRequests';
import { ConversationMenu } from '../conversationSettings/ConversationMenu';
import { systemLine } from '../chat/systemLine';
import { timerLabel } from '../conversationSettings/timerChoices';
import { ConversationAvatar } from '../privacy/PresenceDot';
import { usePresenceFeed } from '../privacy/usePresence';

/** Re-renders relative times ("5 min") once a minute. */
function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

function previewOf(c: ConversationSummary): string {
  const last = c.lastMessage;
  if (!last) return 'No messages yet';
  if (last.deleted) return 'This message was deleted';
  // A group change: the words are the timeline's (no "You:" prefix, the line names who).
  if (last.event) return systemLine(last.event);
  // Previews are shown on one line: the core keeps line breaks, the list does not need them.
  const text = last.preview.replace(/\s+/g, ' ').trim();
  return last.outgoing ? `You: ${text}` : text;
}

/**
 * The home list with a filter box. Arrow keys move between rows (one tab stop
 * for the whole list, roving tabindex); Enter or click opens. ArrowDown in the
 * filter box moves into the list.
 */
export function ConversationList() {
  usePresenceFeed();
  const rail = useAppStore((s) => s.sidebar.collapsed);
  const conversations = useAppStore((s) => s.conversations);
  const loaded = useAppStore((s) => s.conversationsLoaded);
  const filter = useAppStore((s) => s.conversationFilter);
  const listError = useAppStore((s) => s.conversationsError);
  const activeId = useAppStore((s) => s.chat?.conversationId ?? null);
  const setFilter = useAppStore((s) => s.setConversationFilter);
  const openConversation = useAppStore((s) => s.openConversation);
  const showView = useAppStore((s) => s.showView);
  const now = useNow();
  const [focusIndex, setFocusIndex] = useState(0);
  const rowRefs = useRef<(HTMLButtonElement | null)[]>([]);
  /** The open context menu: which conversation, and where (viewport coordinates). */
  const [menu, setMenu] = useState<{ id: number; at: { x: number; y: number } } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const menuConversation = menu ? conversations.find((c) => c.id === menu.id) : undefined;

  const activeIndex = conversations.findIndex((c) => c.id === activeId);
  // The tab stop follows the open conversation, else the last row the keyboard visited.
  const tabIndexAt = Math.min(activeIndex >= 0 ? activeIndex : focusIndex, conversations.length - 1);

  function focusRow(index: number) {
    const clamped = Math.max(0, Math.min(conversations.length - 1, index));
    setFocusIndex(clamped);
    rowRefs.current[clamped]?.focus();
  }

  function open(c: ConversationSummary) {
    showView('chat');
    void openConversation(c.id);
  }

  function onRowKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    // The keyboard's way to the context menu (the Menu key, or Shift+F10 as on Windows and GTK).
    if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
      event.preventDefault();
      const c = conversations[index];
      const rect = event.currentTarget.getBoundingClientRect();
      if (c) setMenu({ id: c.id, at: { x: rect.left + 24, y: rect.top + rect.height / 2 } });
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: conversations.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    focusRow(target);
  }

  const filtering = filter.trim() !== '';
  return (
    <nav className="conversations" aria-labelledby="conversations-heading">
      <h2 className="conversations__heading" id="conversations-heading">
        Conversations
      </h2>
      <ContactRequests />
      {loaded && (conversations.length > 0 || filtering) ? (
        <div className="conversations__filter">
          <label className="visually-hidden" htmlFor="conversation-filter">
            Filter conversations
          </label>
          <input
            id="conversation-filter"
            className="filter-input"
            type="search"
            placeholder="Filter by name"
            autoComplete="off"
            spellCheck={false}
            data-testid="conversation-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown' && conversations.length > 0) {
                e.preventDefault();
                focusRow(0);
              }
            }}
          />
        </div>
      ) : null}
      {listError ? (
        <p className="conversations__error" role="alert" data-testid="conversation-list-error">
          {listError.message}
        </p>
      ) : null}
      {loaded && conversations.length === 0 && !filtering ? (
        <div className="conversations__empty" data-testid="conversation-list-empty">
          <p className="conversations__empty-title">No conversations yet</p>
          <p className="conversations__empty-text">People you talk to will show up here.</p>
        </div>
      ) : null}
      {loaded && conversations.length === 0 && filtering ? (
        <p className="conversations__none" data-testid="conversation-filter-empty" role="status">
          No conversation matches “{filter.trim()}”.
        </p>
      ) : null}
      {conversations.length > 0 ? (
        <ul className="conversation-list" data-testid="conversation-list">
          {conversations.map((c, index) => {
            const active = c.id === activeId;
            const unread = c.unreadCount > 0;
            const muted = c.notify === 'muted';
            const preview = previewOf(c);
            const when = c.lastMessage?.sentAt ?? c.lastActivityAt;
            return (
              <li key={c.id}>
                <button
                  type="button"
                  ref={(el) => {
                    rowRefs.current[index] = el;
                  }}
                  className={`conversation${active ? ' is-active' : ''}${unread ? ' is-unread' : ''}`}
                  data-testid="conversation-row"
                  data-conversation-id={c.id}
                  // Collapsed to a rail only the avatar shows: the name comes up on hover.
                  title={rail ? c.title : undefined}
                  aria-current={active ? 'true' : undefined}
                  tabIndex={index === tabIndexAt ? 0 : -1}
                  onFocus={() => setFocusIndex(index)}
                  onKeyDown={(e) => onRowKeyDown(e, index)}
                  onClick={() => open(c)}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    setMenu({ id: c.id, at: { x: e.clientX, y: e.clientY } });
                  }}
                >
                  <ConversationAvatar id={c.id} kind={c.kind} title={c.title} />
                  <span className="conversation__body">
                    <span className="conversation__top">
                      <span className="conversation__title" data-testid="conversation-title">
                        {c.title}
                      </span>
                      {muted ? (
                        <span className="conversation__muted" data-testid="conversation-muted" title="Muted">
                          <MutedIcon />
                          <span className="visually-hidden">, muted</span>
                        </span>
                      ) : null}
                      {c.disappearAfterMs !== null ? (
                        <span
                          className="conversation__timer"
                          data-testid="conversation-timer"
                          title={`Disappearing messages: ${timerLabel(c.disappearAfterMs)}`}
                        >
                          <ClockIcon />
                          <span className="visually-hidden">, disappearing messages on</span>
                        </span>
                      ) : null}
                      <time
                        className="conversation__time"
                        dateTime={new Date(when).toISOString()}
                        title={formatDateTime(when)}
                      >
                        {formatRelative(when, now)}
                      </time>
                    </span>
                    <span className="conversation__bottom">
                      <span className="conversation__preview" data-testid="conversation-preview">
                        {preview}
                      </span>
                      {unread ? (
                        <span
                          className={`badge${muted ? ' badge--muted' : ''}`}
                          data-testid="conversation-unread"
                        >
                          {c.unreadCount > 999 ? '999+' : c.unreadCount}
                          <span className="visually-hidden"> unread</span>
                        </span>
                      ) : null}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {menu && menuConversation ? (
        <ConversationMenu conversation={menuConversation} at={menu.at} onClose={closeMenu} />
      ) : null}
    </nav>
  );
}
