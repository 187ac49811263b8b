import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { SIDEBAR_MAX, SIDEBAR_MIN, SIDEBAR_STEP } from '../../lib/sidebarLayout';
import { useAppStore } from '../../store/appStore';

/** Dragging this far left of the narrowest width collapses the sidebar to its rail (as in Signal Desktop). */
const COLLAPSE_BELOW = SIDEBAR_MIN - 80;

/**
 * The handle on the sidebar's right edge: drag it, or focus it and use the
 * arrow keys (Home/End for narrowest and widest; Enter collapses or expands).
 * A focusable separator is the WAI-ARIA window-splitter pattern, so screen
 * readers say its width.
 */
export function SidebarResizer({ sidebarRef }: { sidebarRef: RefObject<HTMLElement | null> }) {
  const layout = useAppStore((s) => s.sidebar);
  const setWidth = useAppStore((s) => s.setSidebarWidth);
  const setCollapsed = useAppStore((s) => s.setSidebarCollapsed);
  const [measured, setMeasured] = useState<number | null>(null);
  const drag = useRef<{ left: number; width: number } | null>(null);

  // The width the window gave it while the user has not chosen one, for aria-valuenow.
  useEffect(() => {
    const el = sidebarRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setMeasured(Math.round(el.getBoundingClientRect().width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [sidebarRef]);

  const width = layout.width ?? measured ?? SIDEBAR_MIN;

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (e.button !== 0) return;
    const left = sidebarRef.current?.getBoundingClientRect().left ?? 0;
    drag.current = { left, width };
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (!d) return;
    const next = e.clientX - d.left;
    if (next < COLLAPSE_BELOW) {
      if (!layout.collapsed) setCollapsed(true);
      return;
    }
    d.width = next;
    setWidth(next, false);
  }

  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (!d) return;
    drag.current = null;
    e.currentTarget.releasePointerCapture(e.pointerId);
    if (!useAppStore.getState().sidebar.collapsed) setWidth(d.width);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Enter') {
      setCollapsed(!layout.collapsed);
    } else if (layout.collapsed && (e.key === 'ArrowRight' || e.key === 'End')) {
      setCollapsed(false);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      setWidth(width + (e.key === 'ArrowLeft' ? -SIDEBAR_STEP : SIDEBAR_STEP));
    } else if (e.key === 'Home' || e.key === 'End') {
      setWidth(e.key === 'Home' ? SIDEBAR_MIN : SIDEBAR_MAX);
    } else {
      return;
    }
    e.preventDefault();
  }

  return (
    <div
      className="sidebar__resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Conversation list width"
      aria-controls="home-sidebar"
      aria-valuemin={SIDEBAR_MIN}
      aria-valuemax={SIDEBAR_MAX}
      aria-valuenow={layout.collapsed ? SIDEBAR_MIN : width}
      aria-valuetext={layout.collapsed ? 'Collapsed' : `${width} pixels`}
      aria-keyshortcuts="ArrowLeft ArrowRight Home End Enter"
      title="Drag to resize; Enter collapses or expands"
      tabIndex={0}
      data-testid="sidebar-resizer"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      onDoubleClick={() => setCollapsed(!layout.collapsed)}
    />
  );
}
