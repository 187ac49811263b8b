import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from './menu';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('menuTemplate', () => {
  const noop = () => {};

  it('has File, Edit, View, Window, Help on Linux and Windows', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const menu = menuTemplate({ platform, isDev: false, onAbout: noop });
      expect(menu.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
      expect(roles(menu)).toContain('quit');
    }
  });

  it('adds the macOS app menu first', () => {
    const menu = menuTemplate({ platform: 'darwin', isDev: false, onAbout: noop });
    expect(menu[0]?.role).toBe('appMenu');
    expect(menu.slice(1).map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
  });

  it('has the clipboard roles text fields rely on', () => {
    const all = roles(menuTemplate({ platform: 'linux', isDev: false, onAbout: noop }));
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) expect(all).toContain(role);
  });

  it('offers reload and developer tools only in development', () => {
    const prod = roles(menuTemplate({ platform: 'linux', isDev: false, onAbout: noop }));
    const dev = roles(menuTemplate({ platform: 'linux', isDev: true, onAbout: noop }));
    for (const role of ['reload', 'forceReload', 'toggleDevTools']) {
      expect(prod).not.toContain(role);
      expect(dev).toContain(role);
    }
  });

  it('calls onAbout from Help', () => {
    let called = 0;
    const help = menuTemplate({ platform: 'linux', isDev: false, onAbout: () => called++ }).at(-1);
    const about = Array.isArray(help?.submenu) ? help.submenu[0] : undefined;
    expect(about?.label).toBe('About Parley');
    // The item ignores Electron's click arguments, so none are needed here.
    (about?.click as (() => void) | undefined)?.();
    expect(called).toBe(1);
  });
});
