import { describe, expect, it } from 'vitest';
import { shortcutAction, shortcutList, stepConversation, type KeyLike } from './shortcuts';

const key = (k: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const act = (e: KeyLike, typing = false) => shortcutAction(e, { typing });

describe('shortcutAction', () => {
  it('maps the desktop shortcuts with Ctrl and with Cmd alike', () => {
    for (const mod of [{ ctrlKey: true }, { metaKey: true }]) {
      expect(act(key('n', mod))).toBe('new-chat');
      expect(act(key('N', { ...mod, shiftKey: true }))).toBe('new-group');
      expect(act(key('k', mod))).toBe('search');
      expect(act(key('f', mod))).toBe('search');
      expect(act(key(',', mod))).toBe('settings');
      expect(act(key('/', mod))).toBe('help');
    }
  });

  it('moves between conversations with Ctrl+Tab and Alt+arrows', () => {
    expect(act(key('Tab', { ctrlKey: true }))).toBe('next-conversation');
    expect(act(key('Tab', { ctrlKey: true, shiftKey: true }))).toBe('previous-conversation');
    expect(act(key('ArrowDown', { altKey: true }))).toBe('next-conversation');
    expect(act(key('ArrowUp', { altKey: true }))).toBe('previous-conversation');
    // Plain Tab is focus navigation, plain arrows move in lists.
    expect(act(key('Tab'))).toBeNull();
    expect(act(key('ArrowDown'))).toBeNull();
  });

  it('goes to the message box with Ctrl+Shift+M, even while typing elsewhere', () => {
    expect(act(key('M', { ctrlKey: true, shiftKey: true }), true)).toBe('focus-composer');
    expect(act(key('m', { metaKey: true, shiftKey: true }))).toBe('focus-composer');
    expect(act(key('m', { ctrlKey: true }))).toBeNull();
  });

  it('opens help on "?" only when the user is not typing', () => {
    expect(act(key('?', { shiftKey: true }))).toBe('help');
    expect(act(key('?', { shiftKey: true }), true)).toBeNull();
    // Ctrl+/ works while typing too.
    expect(act(key('/', { ctrlKey: true }), true)).toBe('help');
  });

  it('leaves ordinary typing, Enter and Up to the composer', () => {
    for (const k of ['n', 'k', 'Enter', 'ArrowUp', 'Escape', '/']) expect(act(key(k), true)).toBeNull();
    expect(act(key('Enter'))).toBeNull();
    expect(act(key('n', { ctrlKey: true, altKey: true }))).toBeNull();
  });
});

describe('stepConversation', () => {
  it('goes to the next or previous one and wraps at the ends', () => {
    expect(stepConversation([3, 5, 9], 5, 1)).toBe(9);
    expect(stepConversation([3, 5, 9], 9, 1)).toBe(3);
    expect(stepConversation([3, 5, 9], 3, -1)).toBe(9);
  });

  it('starts at an end when nothing is open, and does nothing without conversations', () => {
    expect(stepConversation([3, 5, 9], null, 1)).toBe(3);
    expect(stepConversation([3, 5, 9], null, -1)).toBe(9);
    expect(stepConversation([], null, 1)).toBeNull();
  });
});

describe('shortcutList', () => {
  it('lists send and edit-last alongside the window shortcuts, with the platform modifier', () => {
    const mac = shortcutList(true).flatMap((g) => g.items);
    expect(mac.find((i) => i.what === 'Send')?.keys).toBe('Enter');
    expect(mac.find((i) => i.what === 'Edit your last message')?.keys).toMatch(/↑/);
    expect(mac.find((i) => i.what === 'Lock Parley')?.keys).toBe('⌘L');
    const pc = shortcutList(false).flatMap((g) => g.items);
    expect(pc.find((i) => i.what === 'Lock Parley')?.keys).toBe('Ctrl+L');
  });
});
