import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Electron's app.get/setLoginItemSettings (macOS and Windows). */
export interface LoginItemApi {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface StartAtLogin {
  get(): boolean;
  set(enabled: boolean): void;
}

/**
 * "Start Parley when I log in" (off by default: a private default). macOS and
 * Windows keep login items for the app (Electron's setLoginItemSettings);
 * Linux desktops start what `~/.config/autostart/*.desktop` lists (XDG
 * Autostart Specification), so there the app writes or removes its own
 * entry. `command` is what to start: the AppImage itself when running from
 * one ($APPIMAGE), else the executable.
 */
export function startAtLogin(options: {
  platform: NodeJS.Platform;
  app: LoginItemApi;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  command: string;
}): StartAtLogin {
  const { platform, app, env } = options;
  if (platform !== 'linux') {
    return {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
    };
  }
  const dir = join(env.XDG_CONFIG_HOME || join(options.home, '.config'), 'autostart');
  const file = join(dir, 'parley.desktop');
  const command = env.APPIMAGE || options.command;
  return {
    get: () => {
      try {
        return /^X-GNOME-Autostart-enabled=true$/m.test(readFileSync(file, 'utf8'));
      } catch {
        return false;
      }
    },
    set: (enabled) => {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, autostartEntry(command), { mode: 0o644 });
    },
  };
}

/** A desktop entry (Desktop Entry Specification); Exec quotes the path as §"The Exec key" asks. */
export function autostartEntry(command: string): string {
  const quoted = `"${command.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Parley',
    'Comment=Serverless, end-to-end encrypted messenger',
    `Exec=${quoted}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
