import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { MessageView } from '../../../../src-shared/contract';
import { useWindowFocus } from '../../lib/useWindowFocus';
import type { TimelineRow } from './timeline';
import type { RowVirtualizer } from './useVirtualRows';

/**
 * Where the reader is in the timeline, and what follows from it (issue 13,
 * finding 5):
 *
 * - The view follows new messages: one's own always, others' only when it
 *   was at the bottom ("pinned") — text and file bubbles alike, and it stays
 *   at the bottom while a bubble grows (an image's thumbnail arrives).
 *   Pinned changes only with scrolling; a render never unpins it.
 * - A message is read only once it was on screen in a focused window:
 *   `onRead` gets the newest message visible now (at least half of it, or
 *   half the viewport for a tall one), never one below the fold.
 * - `newestVisible` is measured from the geometry after every render, scroll,
 *   resize and focus change, not remembered from the last scroll event: a
 *   conversation short enough to show whole has nothing to scroll, and a
 *   stale "not at the bottom" kept "Jump to latest" and the unread badge on
 *   screen.
 */

/** Frames after a scroll to the bottom in which it is checked again (a stale scroll height). */
const FOLLOW_FRAMES = 12;

/** Pixels from the bottom that still count as "at the latest message". */
export const BOTTOM_SLACK_PX = 48;

export interface FollowAndReadOptions {
  scrollRef: RefObject<HTMLDivElement | null>;
  virtualizer: RowVirtualizer;
  rows: readonly TimelineRow[];
  messages: readonly MessageView[];
  conversationId: number | null;
  /** Newer messages exist beyond what is loaded (opened around a search hit). */
  hasNewer: boolean;
  /** The positioning for the current scroll request is done. */
  ready: boolean;
  scrollRequest: number;
  /** The scroll request targets a message (not the latest). */
  targetsMessage: boolean;
  /** The newest message seen in a focused window (it and everything before it are read). */
  onRead: (upToMessageId: number) => void;
}

export interface FollowAndRead {
  /** The newest loaded message is on screen: "Jump to latest" has nothing to do. */
  newestVisible: boolean;
  /** To be called from the timeline's scroll handler. */
  onScroll: () => void;
}

function gapToBottom(el: HTMLElement): number {
  return el.scrollHeight - el.scrollTop - el.clientHeight;
}

export function useFollowAndRead(o: FollowAndReadOptions): FollowAndRead {
  const focused = useWindowFocus();
  const [newestVisible, setNewestVisible] = useState(false);
  const pinned = useRef(true);
  /** scrollTop at the last scroll event: only a move up is the reader leaving the bottom. */
  const lastTop = useRef(0);
  const seen = useRef<{ conversationId: number | null; newestId: number | null; hasNewer: boolean }>({
    conversationId: null,
    newestId: null,
    hasNewer: false,
  });
  const latest = useRef(o);
  const focusedRef = useRef(focused);
  useLayoutEffect(() => {
    latest.current = o;
    focusedRef.current = focused;
  });

  const measure = useCallback(() => {
    const { scrollRef, virtualizer, rows, messages, ready, onRead } = latest.current;
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    const bottom = top + el.clientHeight;
    const newestId = messages.at(-1)?.id ?? null;
    let visibleNewest = 0;
    let newestOnScreen = false;
    for (const item of virtualizer.getVirtualItems()) {
      const row = rows[item.index];
      if (row?.kind !== 'message') continue;
      const shown = Math.min(item.end, bottom) - Math.max(item.start, top);
      if (shown < Math.min(item.size, el.clientHeight) / 2) continue;
      visibleNewest = Math.max(visibleNewest, row.message.id);
      if (row.message.id === newestId) newestOnScreen = true;
    }
    // Nothing loaded yet, or no message rows: nothing to jump to either.
    const visible = newestId === null || newestOnScreen;
    setNewestVisible((v) => (v === visible ? v : visible));
    if (ready && focusedRef.current && visibleNewest > 0) onRead(visibleNewest);
  }, []);

  const frame = useRef(0);
  const toBottom = useCallback(
    (el: HTMLElement) => {
      const target = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
      // Chromium can report the scroll height of an earlier frame right after rows were
      // positioned (seen when nothing animates, e.g. with prefers-reduced-motion, and for
      // several frames on a loaded machine: a CI trace showed rows 2,268 px high and the
      // view stopped at the old bottom). Look again over the next frames, still pinned.
      cancelAnimationFrame(frame.current);
      let frames = 0;
      const again = () => {
        const { ready, hasNewer } = latest.current;
        if (!pinned.current || !ready || hasNewer) return;
        const next = el.scrollHeight - el.clientHeight;
        if (Math.abs(el.scrollTop - next) > 1) el.scrollTop = next;
        frames += 1;
        if (frames < FOLLOW_FRAMES) frame.current = requestAnimationFrame(again);
        else measure();
      };
      frame.current = requestAnimationFrame(again);
    },
    [measure],
  );
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // A new positioning (open, a search hit, "Jump to latest"): pinned when it targets the latest.
  useLayoutEffect(() => {
    pinned.current = !latest.current.targetsMessage;
  }, [o.scrollRequest]);

  // After every render: follow what arrived, stay at the bottom while pinned, then measure.
  useLayoutEffect(() => {
    const el = o.scrollRef.current;
    if (!el || !o.ready) return;
    const newest = o.messages.at(-1) ?? null;
    const before = seen.current;
    const arrived =
      newest !== null &&
      before.conversationId === o.conversationId &&
      before.newestId !== null &&
      newest.id !== before.newestId &&
      // Paging in newer pages (far from the end) is not an arrival to follow.
      !before.hasNewer &&
      !o.hasNewer;
    if (arrived && newest.sender.self) pinned.current = true;
    if (pinned.current && !o.hasNewer) toBottom(el);
    seen.current = { conversationId: o.conversationId, newestId: newest?.id ?? null, hasNewer: o.hasNewer };
    measure();
  });

  // The window or the timeline changed size: keep the bottom in view if pinned, and measure.
  useEffect(() => {
    const el = o.scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (pinned.current && latest.current.ready && !latest.current.hasNewer) toBottom(el);
      measure();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [o.scrollRef, measure, toBottom]);

  // Focus came back: what is on screen now is read.
  useEffect(() => {
    if (focused) measure();
  }, [focused, measure]);

  const onScroll = useCallback(() => {
    const el = latest.current.scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    if (latest.current.ready) {
      if (gapToBottom(el) <= BOTTOM_SLACK_PX) pinned.current = true;
      // Away from the bottom: the reader scrolled up, or rows below were measured taller
      // than estimated between our scroll to the bottom and this event (scrollTop did not
      // move up). Only the first unpins; the second keeps following.
      else if (top < lastTop.current - 1) pinned.current = false;
      else if (pinned.current && !latest.current.hasNewer) toBottom(el);
    }
    lastTop.current = el.scrollTop;
    measure();
  }, [measure, toBottom]);

  return { newestVisible, onScroll };
}
