/**
 * The desktop keyboard shortcuts (issue #7 item 9), decided by one pure
 * function so they can be tested without a DOM. Ctrl and Cmd are both
 * accepted so the same keys work in Electron on every OS and in a browser
 * tab (web shell). Browsers keep Ctrl+Tab for their own tabs, so there the
 * Alt+Up/Down pair is the one that works.
 */
export type ShortcutAction =
  | 'new-chat'
  | 'new-group'
  | 'search'
  | 'settings'
  | 'next-conversation'
  | 'previous-conversation'
  | 'help'
  | 'focus-composer';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/**
 * The action for a key press, or null. `typing` is true while focus is in a
 * text field: a bare "?" is then text, never the help dialog.
 */
export function shortcutAction(e: KeyLike, options: { typing: boolean }): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (key === 'n') return e.shiftKey ? 'new-group' : 'new-chat';
    if ((key === 'k' || key === 'f') && !e.shiftKey) return 'search';
    if (key === ',' && !e.shiftKey) return 'settings';
    if (key === '/' || key === '?') return 'help';
    if (key === 'm' && e.shiftKey) return 'focus-composer';
  }
  // Ctrl+Tab is Control on macOS too (Cmd+Tab belongs to the system).
  if (e.ctrlKey && !e.altKey && !e.metaKey && key === 'Tab') {
    return e.shiftKey ? 'previous-conversation' : 'next-conversation';
  }
  if (e.altKey && !mod && !e.shiftKey) {
    if (key === 'ArrowDown') return 'next-conversation';
    if (key === 'ArrowUp') return 'previous-conversation';
  }
  if (key === '?' && !mod && !e.altKey && !options.typing) return 'help';
  return null;
}

/** The conversation to open for next/previous, wrapping at the ends; null when there is none. */
export function stepConversation(
  ids: readonly number[],
  current: number | null,
  step: 1 | -1,
): number | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return step > 0 ? (ids[0] ?? null) : (ids[ids.length - 1] ?? null);
  return ids[(at + step + ids.length) % ids.length] ?? null;
}

/** What the help dialog lists: every shortcut, including the ones handled elsewhere (composer, lock). */
export function shortcutList(mac: boolean): { group: string; items: { keys: string; what: string }[] }[] {
  const m = mac ? '⌘' : 'Ctrl+';
  return [
    {
      group: 'Conversations',
      items: [
        { keys: `${m}N`, what: 'New chat (add a contact)' },
        { keys: `${m}Shift+N`, what: 'New group' },
        { keys: 'Ctrl+Tab · Alt+↓', what: 'Next conversation' },
        { keys: 'Ctrl+Shift+Tab · Alt+↑', what: 'Previous conversation' },
        { keys: `${m}K · ${m}F`, what: 'Search messages' },
        { keys: `${m}I`, what: 'Conversation info' },
      ],
    },
    {
      group: 'Writing',
      items: [
        { keys: `${m}Shift+M`, what: 'Go to the message box' },
        { keys: 'Enter', what: 'Send' },
        { keys: 'Shift+Enter', what: 'New line' },
        { keys: '↑ (empty message box)', what: 'Edit your last message' },
        { keys: 'Esc', what: 'Cancel editing, close a dialog or menu' },
      ],
    },
    {
      group: 'Parley',
      items: [
        { keys: `${m}L`, what: 'Lock Parley' },
        { keys: `${m},`, what: 'Settings' },
        { keys: `${m}/ · ?`, what: 'Show these shortcuts' },
        { keys: 'Shift+F10 · right-click', what: 'Conversation menu in the list' },
        { keys: '↑ ↓ · Page Up/Down · Home/End', what: 'Move between messages' },
        { keys: 'Shift+F10 (on a message)', what: 'Message actions: reply, react, copy, edit, delete' },
      ],
    },
  ];
}

/** True when keys typed now go into a text field. */
export function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(type);
}
