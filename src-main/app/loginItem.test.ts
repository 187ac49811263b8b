import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartEntry, startAtLogin } from './loginItem';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'parley-login-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const noApp = {
  getLoginItemSettings: () => {
    throw new Error('not on Linux');
  },
  setLoginItemSettings: () => {
    throw new Error('not on Linux');
  },
};

describe('start at login', () => {
  it('Linux: writes and removes an XDG autostart entry, off by default', () => {
    const login = startAtLogin({
      platform: 'linux',
      app: noApp,
      env: {},
      home,
      command: '/opt/Parley/parley',
    });
    const file = join(home, '.config', 'autostart', 'parley.desktop');
    expect(login.get()).toBe(false);
    login.set(true);
    expect(login.get()).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('Exec="/opt/Parley/parley"');
    login.set(false);
    expect(existsSync(file)).toBe(false);
    expect(login.get()).toBe(false);
  });

  it('Linux: starts the AppImage itself, and honours XDG_CONFIG_HOME', () => {
    const config = join(home, 'cfg');
    const login = startAtLogin({
      platform: 'linux',
      app: noApp,
      env: { XDG_CONFIG_HOME: config, APPIMAGE: '/home/a/Apps/Parley 1.0.AppImage' },
      home,
      command: '/tmp/.mount_x/parley',
    });
    login.set(true);
    expect(readFileSync(join(config, 'autostart', 'parley.desktop'), 'utf8')).toContain(
      'Exec="/home/a/Apps/Parley 1.0.AppImage"',
    );
  });

  it('quotes the Exec path as the Desktop Entry Specification asks', () => {
    expect(autostartEntry('/a/"b"/$c')).toContain('Exec="/a/\\"b\\"/\\$c"');
  });

  it('macOS and Windows: the OS login items', () => {
    let open = false;
    const app = {
      getLoginItemSettings: () => ({ openAtLogin: open }),
      setLoginItemSettings: (s: { openAtLogin: boolean }) => {
        open = s.openAtLogin;
      },
    };
    const login = startAtLogin({ platform: 'win32', app, env: {}, home, command: 'C:\\Parley\\Parley.exe' });
    login.set(true);
    expect(login.get()).toBe(true);
  });
});
