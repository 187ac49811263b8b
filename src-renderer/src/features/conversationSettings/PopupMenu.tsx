import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface PopupMenuItem {
  id: string;
  label: string;
  /** A radio item shows a check when chosen (menuitemradio); others are plain actions. */
  checked?: boolean;
  danger?: boolean;
  onSelect(): void;
}

export interface PopupMenuGroup {
  label: string;
  /** Radio groups say so to assistive technology. */
  radio?: boolean;
  items: PopupMenuItem[];
}

export interface PopupMenuProps {
  label: string;
  testId: string;
  groups: PopupMenuGroup[];
  /** Viewport coordinates of the menu's top-left corner (kept inside the window). */
  at: { x: number; y: number };
  onClose(): void;
}

/**
 * A popup menu (WAI-ARIA menu pattern): focus moves into it on open, arrows,
 * Home and End move, Enter or Space chooses, Escape or Tab or a click outside
 * closes it, and focus returns to where it was.
 */
export function PopupMenu({ label, testId, groups, at, onClose }: PopupMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState(at);
  const items = groups.flatMap((g) => g.items);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const margin = 8;
    const { width, height } = el.getBoundingClientRect();
    setPosition({
      x: Math.max(margin, Math.min(at.x, window.innerWidth - width - margin)),
      y: Math.max(margin, Math.min(at.y, window.innerHeight - height - margin)),
    });
  }, [at]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first =
      ref.current?.querySelector<HTMLElement>('[aria-checked="true"]') ??
      ref.current?.querySelector<HTMLElement>('[role^="menuitem"]');
    first?.focus();
    function onPointer(event: MouseEvent) {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    }
    document.addEventListener('mousedown', onPointer, true);
    window.addEventListener('blur', onClose);
    window.addEventListener('resize', onClose);
    return () => {
      document.removeEventListener('mousedown', onPointer, true);
      window.removeEventListener('blur', onClose);
      window.removeEventListener('resize', onClose);
      if (previous?.isConnected) previous.focus();
    };
  }, [onClose]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const nodes = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []);
    const at = nodes.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = {
      ArrowDown: (at + 1) % nodes.length,
      ArrowUp: (at - 1 + nodes.length) % nodes.length,
      Home: 0,
      End: nodes.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      nodes[target]?.focus();
      return;
    }
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  }

  function choose(item: PopupMenuItem) {
    onClose();
    item.onSelect();
  }

  return (
    <div
      ref={ref}
      className="popup-menu"
      role="menu"
      aria-label={label}
      data-testid={testId}
      style={{ left: position.x, top: position.y }}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      {groups.map((group) => (
        <div key={group.label} role="group" aria-label={group.label} className="popup-menu__group">
          <div className="popup-menu__heading" aria-hidden="true">
            {group.label}
          </div>
          {group.items.map((item) => (
            <button
              key={item.id}
              type="button"
              role={group.radio ? 'menuitemradio' : 'menuitem'}
              aria-checked={group.radio ? Boolean(item.checked) : undefined}
              tabIndex={-1}
              className={`popup-menu__item${item.danger ? ' is-danger' : ''}`}
              data-testid={`${testId}-${item.id}`}
              onClick={() => choose(item)}
            >
              <span className="popup-menu__check" aria-hidden="true">
                {item.checked ? '✓' : ''}
              </span>
              {item.label}
            </button>
          ))}
        </div>
      ))}
      {items.length === 0 ? <div className="popup-menu__heading">Nothing to do here</div> : null}
    </div>
  );
}
