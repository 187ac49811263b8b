import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import type { MessageView } from '../../../../src-shared/contract';
import { ArrowDownIcon } from '../../components/Icons';
import { formatDayLabel } from '../../lib/time';
import { useAppStore } from '../../store/appStore';
import { ChatContactBanner, ChatVerifiedBadge } from '../contacts/ChatContactBanner';
import { TimerMenu } from '../conversationSettings/TimerMenu';
import { ConversationInfoButton } from '../conversationInfo/ConversationInfoPanel';
import { AttachButton } from '../files/AttachButton';
import { FileDropTarget } from '../files/FileDropTarget';
import { ImageViewer } from '../files/ImageViewer';
import { UploadList } from '../files/UploadList';
import { Composer } from './Composer';
import { readOnlyWords } from './readOnlyWords';
import { ReadOnlyNotice } from './ReadOnlyNotice';
import { TypingIndicator } from './TypingIndicator';
import { PresenceLine } from '../privacy/PresenceDot';
import { TimelineMessage } from './TimelineMessage';
import { buildTimeline, type TimelineRow } from './timeline';
import { messageStep } from './timelineKeys';
import { useFollowAndRead } from './useFollowAndRead';
import { applyPositions, useVirtualRows } from './useVirtualRows';

/** Rows this close to an end of what is loaded fetch the next page, so scrolling rarely meets an edge. */
const PREFETCH_ROWS = 15;
/** Rows drawn beyond each edge of the screen, so scrolling meets drawn rows. */
const OVERSCAN_ROWS = 12;
/** The same while an open or a jump is being positioned. */
const FIRST_OVERSCAN_ROWS = 3;

function estimateRow(row: TimelineRow | undefined): number {
  if (!row || row.kind !== 'message') return 44;
  return row.showSender ? 78 : 58;
}

const NO_MESSAGES: readonly MessageView[] = [];

interface Anchor {
  key: string;
  /** scrollTop minus the anchor row's start: kept equal across a prepend. */
  delta: number;
}

export function ChatView() {
  const chat = useAppStore((s) => s.chat);
  const summary = useAppStore((s) => s.conversations.find((c) => c.id === s.chat?.conversationId));
  const loadOlder = useAppStore((s) => s.loadOlder);
  const loadNewer = useAppStore((s) => s.loadNewer);
  const jumpToLatest = useAppStore((s) => s.jumpToLatest);
  const markConversationRead = useAppStore((s) => s.markConversationRead);
  const jumpToMessage = useAppStore((s) => s.jumpToMessage);
  const watchTyping = useAppStore((s) => s.watchTyping);
  useEffect(() => watchTyping(), [watchTyping]);

  const messages = chat?.messages;
  const firstUnreadId = chat?.firstUnreadId ?? null;
  const unreadAtOpen = chat?.unreadAtOpen ?? 0;
  const isGroup = summary?.kind === 'group';
  const rows = useMemo(
    () => buildTimeline(messages ?? [], { group: isGroup, firstUnreadId, unreadCount: unreadAtOpen }),
    [messages, isGroup, firstUnreadId, unreadAtOpen],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const anchorRef = useRef<Anchor | null>(null);
  /** The scroll request whose initial positioning is done; paging waits for it so it never races the jump. */
  const [settled, setSettled] = useState<number | null>(null);
  const [now] = useState(() => Date.now());

  const rowsRef = useRef<HTMLDivElement>(null);
  const scrollRequest = chat?.scrollRequest ?? 0;
  const loading = chat?.loading ?? true;
  const focusId = chat?.focusMessageId ?? null;
  // The first render of a positioning already draws its target rows (the newest on open).
  const focusIndex = focusId === null ? -1 : rows.findIndex((r) => r.key === `m:${focusId}`);
  const virtualizer = useVirtualRows(
    {
      count: rows.length,
      getScrollElement: () => scrollRef.current,
      estimateSize: (index) => estimateRow(rows[index]),
      getItemKey: (index) => rows[index]?.key ?? index,
      // Few rows beyond the screen until the positioning settles: the open's first render draws
      // (and lays out) what is seen, and the rows for scrolling come two frames later.
      overscan: settled === scrollRequest ? OVERSCAN_ROWS : FIRST_OVERSCAN_ROWS,
    },
    loading
      ? null
      : focusIndex >= 0
        ? { token: scrollRequest, index: focusIndex, align: 'center' }
        : { token: scrollRequest, index: rows.length - 1, align: 'end' },
  );
  // After every commit: the rows React just rendered get their offsets before paint.
  useLayoutEffect(() => applyPositions(virtualizer, rowsRef.current));

  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items.at(-1)?.index ?? 0;
  const ready = settled === scrollRequest && !loading;

  // Keep the row that was at the top in place when older messages are prepended.
  useLayoutEffect(() => {
    const anchor = anchorRef.current;
    const el = scrollRef.current;
    if (!anchor || !el) return;
    const index = rows.findIndex((r) => r.key === anchor.key);
    if (index < 0) return;
    const start = virtualizer.measurementsCache[index]?.start;
    if (start === undefined) return;
    anchorRef.current = null;
    el.scrollTop = start + anchor.delta;
  }, [rows, virtualizer]);

  // The latest rows and target, read by the positioning effect below without re-running it.
  const latest = useRef({ rows, focusId });
  useLayoutEffect(() => {
    latest.current = { rows, focusId };
  });

  // Opening, jumping to a search hit, or "jump to latest": scroll to the target once rows exist.
  // Only a new scroll request repositions; later page loads must not yank the view.
  useLayoutEffect(() => {
    const { rows: current, focusId: target } = latest.current;
    if (loading) return;
    // An empty conversation is positioned too: its first messages are followed (useFollowAndRead).
    if (current.length > 0) {
      const index = target === null ? -1 : current.findIndex((r) => r.key === `m:${target}`);
      if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
      else virtualizer.scrollToIndex(current.length - 1, { align: 'end' });
    }
    // Two frames: the virtualizer measures real heights and corrects the position in between.
    let second = 0;
    const first = requestAnimationFrame(() => {
      second = requestAnimationFrame(() => setSettled(scrollRequest));
    });
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, [scrollRequest, loading, virtualizer]);

  // Page in older/newer messages near the edges of what is loaded.
  useEffect(() => {
    if (!ready || !chat) return;
    if (firstIndex <= PREFETCH_ROWS && chat.hasOlder && !chat.loadingOlder) {
      const el = scrollRef.current;
      const top = items.find((item) => item.end > (el?.scrollTop ?? 0)) ?? items[0];
      const row = top ? rows[top.index] : undefined;
      if (el && top && row) anchorRef.current = { key: row.key, delta: el.scrollTop - top.start };
      void loadOlder();
    }
    if (lastIndex >= rows.length - 1 - PREFETCH_ROWS && chat.hasNewer && !chat.loadingNewer) {
      void loadNewer();
    }
  }, [ready, chat, firstIndex, lastIndex, rows, items, loadOlder, loadNewer]);

  // Follows new messages and marks read only what was seen in a focused window (useFollowAndRead).
  const { newestVisible, onScroll } = useFollowAndRead({
    scrollRef,
    virtualizer,
    rows,
    messages: messages ?? NO_MESSAGES,
    conversationId: chat?.conversationId ?? null,
    hasNewer: chat?.hasNewer ?? false,
    ready,
    scrollRequest,
    targetsMessage: focusId !== null,
    onRead: (upTo) => void markConversationRead(upTo),
  });

  // The message list's one tab stop: the message that last had focus, else the newest one drawn.
  const [activeMessage, setActiveMessage] = useState<{ conversationId: number; id: number } | null>(null);
  const openId = chat?.conversationId ?? null;
  // Stable per conversation, so the memoized rows are not re-rendered for a new closure.
  const onFocusMessage = useCallback(
    (id: number) => {
      if (openId !== null) setActiveMessage({ conversationId: openId, id });
    },
    [openId],
  );
  const drawnIds = items.flatMap((item) => {
    const row = rows[item.index];
    return row?.kind === 'message' && row.message.kind !== 'system' ? [row.message.id] : [];
  });
  const tabbableId =
    activeMessage &&
    activeMessage.conversationId === chat?.conversationId &&
    drawnIds.includes(activeMessage.id)
      ? activeMessage.id
      : (drawnIds.at(-1) ?? null);

  /** Arrows, Page Up/Down, Home and End move between messages (timelineKeys.ts). */
  function onRowsKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    if (!target.matches('[data-testid="message-wrap"]') || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey)
      return;
    const wraps = Array.from(
      rowsRef.current?.querySelectorAll<HTMLElement>('[data-testid="message-wrap"]') ?? [],
    );
    const height = scrollRef.current?.clientHeight ?? 600;
    const step = messageStep(e.key, wraps.indexOf(target), wraps.length, Math.floor(height / 60));
    if (!step) return;
    e.preventDefault();
    const next = wraps[step.index];
    if (step.pastEdge && scrollRef.current) {
      // Past the rows drawn: scroll on, so the virtualizer draws (and pages in) the next ones.
      scrollRef.current.scrollTop += e.key === 'ArrowUp' || e.key === 'PageUp' ? -height / 2 : height / 2;
    }
    next?.focus({ preventScroll: true });
    next?.scrollIntoView({ block: 'nearest' });
  }

  if (!chat) return null;

  const title = summary?.title ?? 'Conversation';
  const showJump = ready && (!newestVisible || chat.hasNewer);
  return (
    <section className="chat" data-testid="chat-view" aria-labelledby="chat-title">
      {summary?.readOnly ? null : (
        // Keyboard users go straight to writing (also Ctrl+Shift+M from anywhere).
        <a
          className="skip-link"
          href="#composer-input"
          data-testid="skip-to-composer"
          onClick={(e) => {
            // Focus without touching the address: the web shell's URL fragment carries its token.
            e.preventDefault();
            document.getElementById('composer-input')?.focus();
          }}
        >
          Skip to message box
        </a>
      )}
      <header className="chat__header">
        {/* The name first and whole; how they are reached on a quieter line under it (issue 17 item 14). */}
        <div className="chat__heading">
          <h1 className="chat__title" id="chat-title" data-testid="chat-title">
            {title}
          </h1>
          <p className="chat__subtitle">
            {summary && !isGroup ? <PresenceLine conversationId={summary.id} /> : null}
            <span className="chat__meta">{isGroup ? 'Group' : 'Direct message'} · end-to-end encrypted</span>
          </p>
        </div>
        {/* Pinned to the right edge, so the timer pill never moves with the title (item 21). */}
        <div className="chat__header-actions">
          <ChatVerifiedBadge />
          {summary && !summary.readOnly ? <TimerMenu conversation={summary} /> : null}
          <ConversationInfoButton />
        </div>
      </header>
      <ChatContactBanner />
      {chat.error ? (
        <p className="chat__error" role="alert" data-testid="chat-error">
          {chat.error.message}
        </p>
      ) : null}
      <div className="chat__timeline-wrap">
        <div
          ref={scrollRef}
          className="timeline"
          data-testid="timeline"
          role="region"
          aria-label={`Messages with ${title}`}
          aria-busy={loading || chat.loadingOlder || chat.loadingNewer || undefined}
          // Focusable only while it has no message to focus (empty or loading): the messages are the tab stop.
          tabIndex={tabbableId === null ? 0 : -1}
          onScroll={onScroll}
        >
          {chat.loadingOlder ? (
            <p className="timeline__loading" data-testid="timeline-loading-older">
              Loading earlier messages…
            </p>
          ) : null}
          {!loading && rows.length === 0 ? (
            <p className="timeline__empty" data-testid="timeline-empty">
              No messages yet.
            </p>
          ) : null}
          <div ref={rowsRef} className="timeline__rows" role="list" onKeyDown={onRowsKeyDown}>
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  className="timeline__row"
                  role="listitem"
                >
                  {row.kind === 'day' ? (
                    <p className="day-separator" data-testid="day-separator">
                      <span>{formatDayLabel(row.at, now)}</span>
                    </p>
                  ) : row.kind === 'unread' ? (
                    <p className="unread-marker" data-testid="unread-marker">
                      <span>{row.count === 1 ? '1 unread message' : `${row.count} unread messages`}</span>
                    </p>
                  ) : (
                    <TimelineMessage
                      message={row.message}
                      extras={chat.extras[row.message.id]}
                      showSender={row.showSender}
                      highlighted={row.message.id === focusId}
                      tabbable={row.message.id === tabbableId}
                      onFocusMessage={onFocusMessage}
                      onJump={jumpToMessage}
                    />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {showJump ? (
          <button
            type="button"
            className="jump-latest"
            data-testid="jump-to-latest"
            onClick={() => void jumpToLatest()}
          >
            <ArrowDownIcon />
            <span>Jump to latest</span>
          </button>
        ) : null}
      </div>
      <TypingIndicator names={chat.typing} />
      {summary?.readOnly ? (
        // Nothing can be sent here any more: no text field, attach, emoji or drop target.
        <ReadOnlyNotice reason={readOnlyWords(summary.readOnly, summary.title)} />
      ) : (
        <>
          <Composer
            title={title}
            leading={<AttachButton conversationId={chat.conversationId} />}
            above={<UploadList conversationId={chat.conversationId} />}
          />
          <FileDropTarget conversationId={chat.conversationId} />
        </>
      )}
      <ImageViewer />
    </section>
  );
}
