import { useRef, type KeyboardEvent } from 'react';
import { useAppStore } from '../../store/appStore';
import { SETTINGS_SECTIONS, type SettingsSectionId } from '../../store/settingsSlice';

export function settingsTabId(id: SettingsSectionId): string {
  return `settings-tab-${id}`;
}

export const SETTINGS_PANEL_ID = 'settings-panel';

/**
 * The Settings side list: vertical tabs (one tab stop; Up/Down, Home/End move and
 * show at once), so a keyboard user reaches any section in a few keys and a
 * screen reader says "tab, 3 of 9".
 */
export function SettingsNav() {
  const current = useAppStore((s) => s.settingsSection);
  const show = useAppStore((s) => s.showSettingsSection);
  const listRef = useRef<HTMLDivElement>(null);

  function move(to: number) {
    const n = SETTINGS_SECTIONS.length;
    const next = SETTINGS_SECTIONS[(to + n) % n];
    if (!next) return;
    show(next.id);
    listRef.current?.querySelector<HTMLButtonElement>(`#${settingsTabId(next.id)}`)?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const index = SETTINGS_SECTIONS.findIndex((s) => s.id === current);
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: -1 }[e.key];
    if (target === undefined) return;
    e.preventDefault();
    move(target);
  }

  return (
    <nav className="settings__nav" aria-label="Settings sections">
      <div
        ref={listRef}
        role="tablist"
        aria-orientation="vertical"
        aria-label="Settings sections"
        className="settings__tabs"
        onKeyDown={onKeyDown}
      >
        {SETTINGS_SECTIONS.map(({ id, label }) => {
          const selected = id === current;
          return (
            <button
              key={id}
              type="button"
              role="tab"
              id={settingsTabId(id)}
              className={`settings__tab${selected ? ' is-active' : ''}`}
              data-testid={settingsTabId(id)}
              aria-selected={selected}
              aria-controls={SETTINGS_PANEL_ID}
              tabIndex={selected ? 0 : -1}
              onClick={() => show(id)}
            >
              {label}
            </button>
          );
        })}
      </div>
    </nav>
  );
}
