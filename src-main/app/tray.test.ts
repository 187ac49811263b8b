import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { AppTray, trayTooltip, withUnreadDot, type TrayLike } from './tray';

function fakeTray(platform: NodeJS.Platform) {
  const calls: string[] = [];
  const state = { image: '' as unknown, tooltip: '', title: '', menu: [] as MenuItemConstructorOptions[] };
  let click: (() => void) | undefined;
  const tray: TrayLike = {
    setToolTip: (t) => (state.tooltip = t),
    setContextMenu: (m) => (state.menu = m as MenuItemConstructorOptions[]),
    setImage: (i) => (state.image = i),
    setTitle: (t) => (state.title = t),
    on: (_e, l) => (click = l),
    destroy: () => calls.push('destroy'),
  };
  const app = new AppTray({
    platform,
    create: (image) => {
      state.image = image;
      return tray;
    },
    buildMenu: (template) => template,
    icons: { normal: 'icon', unread: 'icon+dot' },
    actions: {
      open: () => calls.push('open'),
      lock: () => calls.push('lock'),
      quit: () => calls.push('quit'),
    },
  });
  const item = (label: string) => state.menu.find((i) => i.label === label);
  return { app, state, calls, item, click: () => click?.() };
}

describe('tray', () => {
  it('shows the unread count in the tooltip, the menu and the icon, and offers open, lock and quit', () => {
    const t = fakeTray('linux');
    expect(t.state.tooltip).toBe('Parley — locked');
    expect(t.item('Lock')?.enabled).toBe(false);
    t.app.update({ unread: 3, unlocked: true });
    expect(t.state.tooltip).toBe('Parley — 3 unread');
    expect(t.state.image).toBe('icon+dot');
    expect(t.item('3 unread')).toMatchObject({ enabled: false });
    expect(t.item('Lock')?.enabled).toBe(true);
    for (const label of ['Open Parley', 'Lock', 'Quit Parley']) {
      (t.item(label)?.click as (() => void) | undefined)?.();
    }
    expect(t.calls).toEqual(['open', 'lock', 'quit']);
    t.click();
    expect(t.calls.at(-1)).toBe('open');
    t.app.update({ unread: 0, unlocked: true });
    expect(t.state.tooltip).toBe('Parley');
    expect(t.state.image).toBe('icon');
    // Locking hides the count: nothing about the profile shows while it is locked.
    t.app.update({ unread: 5, unlocked: false });
    expect(t.state.image).toBe('icon');
    expect(t.state.tooltip).toBe('Parley — locked');
  });

  it('puts the count beside the menu-bar icon on macOS, where a click opens the menu', () => {
    const t = fakeTray('darwin');
    t.app.update({ unread: 12, unlocked: true });
    expect(t.state.title).toBe('12');
    t.click();
    expect(t.calls).toEqual([]);
  });

  it('tooltip wording', () => {
    expect(trayTooltip({ unread: 1, unlocked: true })).toBe('Parley — 1 unread');
  });

  it('draws a red dot in the top-right corner and leaves the rest of the icon alone', () => {
    const size = 16;
    const blank = new Uint8Array(size * size * 4);
    const dotted = withUnreadDot(blank, size, size);
    const pixel = (x: number, y: number) => [...dotted.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    expect(pixel(size - 5, 4)).toEqual([0x20, 0x2d, 0xd9, 255]);
    expect(pixel(1, size - 2)).toEqual([0, 0, 0, 0]);
    expect(blank.every((b) => b === 0)).toBe(true);
  });
});
