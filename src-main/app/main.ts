import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  type NativeImage,
} from 'electron';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventChannel } from '../../src-shared/contract';
import { createCore, type Core } from '../core/core';
import { isParleyError } from '../core/errors';
import { createJsonLogger, errorFields } from '../core/util/logger';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './appProtocol';
import { launchPaths, parseArgs } from './args';
import { inviteLink, linkFromArgv, PendingLink, protocolClient } from './deepLinks';
import { desktopHost } from './desktopHost';
import { regionTimeLocale } from './regionLocale';
import { externalLinkPrompt, openExternalLink } from './externalLinks';
import { forwardEvents, registerIpc } from './ipc';
import { safeStorageKeychain } from './keychain';
import { startAtLogin } from './loginItem';
import { menuTemplate } from './menu';
import { wireNotifications } from './notifications';
import { rendererLocation } from './rendererLocation';
import { contentSecurityPolicy, isTrustedUrl, secureSession, secureWebContents } from './security';
import { AppTray, withUnreadDot } from './tray';
import { watchUnread } from './unreadCount';
import { createMainWindow } from './window';

const logger = createJsonLogger((line) => process.stderr.write(`${line}\n`));

/** The app icon at tray size, and the same with the unread dot. */
function trayIcons(iconPath: string): { normal: NativeImage; unread: NativeImage } {
  const size = process.platform === 'darwin' ? 18 : process.platform === 'win32' ? 16 : 24;
  const normal = nativeImage.createFromPath(iconPath).resize({ width: size, height: size });
  const { width, height } = normal.getSize();
  const unread = nativeImage.createFromBitmap(withUnreadDot(normal.toBitmap(), width, height), {
    width,
    height,
  });
  return { normal, unread };
}

/**
 * The Electron shell around the core: one profile, one window, the contract
 * over IPC, and the desktop conventions (tray, badge, parley:// links, native
 * dialogs, start at login). Everything that decides something lives in the
 * modules imported above; this file only wires them to Electron's lifecycle.
 */
function main(): void {
  const parsed = parseArgs(process.argv.slice(1), process.cwd());
  if (!parsed.ok) {
    process.stderr.write(`parley: ${parsed.message}\n`);
    dialog.showErrorBox('Parley cannot start', parsed.message);
    app.exit(2);
    return;
  }

  // Before anything reads userData: the single-instance lock and Chromium's state live there.
  app.setName('Parley');
  const paths = launchPaths(parsed.args, app.getPath('appData'));
  app.setPath('userData', paths.userData);
  // Custom schemes get their privileges before the app is ready, or never.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  let core: Core | undefined;
  let window: BrowserWindow | undefined;
  let tray: AppTray | undefined;
  let unregisterIpc: (() => void) | undefined;
  let stopUnread: (() => void) | undefined;

  // parley:// links: handed to the renderer once a loaded window can take them.
  const links = new PendingLink((link) => {
    if (!window || window.webContents.isDestroyed() || window.webContents.isLoading()) return false;
    window.webContents.send(eventChannel('host.openInvite'), { link });
    showWindow();
    return true;
  });
  // macOS hands links over by event, possibly before the app is ready.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    links.offer(inviteLink(url));
  });

  if (!app.requestSingleInstanceLock()) {
    // The running instance owns this profile; it brings its window forward on 'second-instance'.
    app.quit();
    return;
  }
  links.offer(linkFromArgv(process.argv));
  const appRoot = app.getAppPath();
  const client = protocolClient(app.isPackaged, process.execPath, resolve(appRoot));
  app.setAsDefaultProtocolClient(client.scheme, client.path, client.args);

  const renderer = rendererLocation(process.env, appRoot);
  const preloadPath = join(appRoot, 'out', 'preload', 'index.cjs');
  const iconPath = join(appRoot, 'resources', 'icon.png');

  // Every web contents, including any Electron creates on its own, gets the navigation rules;
  // web links open in the browser only after the user confirmed (externalLinks.ts).
  app.on('web-contents-created', (_event, contents) => {
    secureWebContents(contents, async (url) => {
      await openExternalLink(url, {
        confirm: async (u) => {
          const prompt = externalLinkPrompt(u);
          const answer = window
            ? await dialog.showMessageBox(window, prompt)
            : await dialog.showMessageBox(prompt);
          return answer.response === 0;
        },
        openExternal: (u) => shell.openExternal(u),
      });
    });
  });

  const openWindow = (events: Core['onEvent']) => {
    const win = createMainWindow({ preloadPath, iconPath, renderer, userData: paths.userData, logger });
    const stopForwarding = forwardEvents(events, win.webContents);
    win.webContents.on('did-finish-load', () => links.flush());
    win.on('closed', () => {
      stopForwarding();
      if (window === win) window = undefined;
    });
    window = win;
  };

  /** Restores, shows and focuses the window, opening one if it was closed. */
  function showWindow(): void {
    if (!window && core) openWindow(core.onEvent);
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  app.on('second-instance', (_event, argv) => {
    showWindow();
    links.offer(linkFromArgv(argv));
  });

  const setBadge = (count: number) => {
    // Dock (macOS) and launcher (Linux: Unity's count); Windows shows a dot on the taskbar button.
    if (process.platform !== 'win32') {
      app.setBadgeCount(count);
      return;
    }
    if (!window || !tray) return;
    window.setOverlayIcon(count > 0 ? trayIcons(iconPath).unread : null, count > 0 ? `${count} unread` : '');
  };

  const start = () => {
    if (renderer.kind === 'app') {
      protocol.handle(APP_SCHEME, appProtocolHandler(renderer.dir, contentSecurityPolicy(renderer)));
    }
    secureSession(session.defaultSession, renderer);
    app.setAboutPanelOptions({ applicationName: 'Parley', applicationVersion: app.getVersion() });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          platform: process.platform,
          isDev: !app.isPackaged,
          onAbout: () => app.showAboutPanel(),
        }),
      ),
    );

    let started: Core;
    try {
      started = createCore({
        profileDir: paths.profileDir,
        shell: 'electron',
        version: app.getVersion(),
        // Times follow the OS region setting, not the UI language Chromium formats with.
        timeLocale: regionTimeLocale(app),
        logger,
        keychain: safeStorageKeychain(safeStorage, process.platform),
        // The desktop app is a LAN peer: listen on every interface (a free port) and find
        // nearby Parley peers by mDNS, which the "discoverable" setting can switch off.
        network: { listen: ['/ip4/0.0.0.0/tcp/0'], mdns: true },
        host: desktopHost({
          dialog,
          window: () => window,
          folder: (purpose) => app.getPath(purpose === 'backup' ? 'documents' : 'downloads'),
          startAtLogin: startAtLogin({
            platform: process.platform,
            app,
            env: process.env,
            home: homedir(),
            command: process.execPath,
          }),
        }),
      });
    } catch (err) {
      if (isParleyError(err, 'PROFILE_IN_USE')) {
        dialog.showErrorBox(
          'Parley is already running',
          `${err.message}\n\nClose the other Parley (the app, "parley web" or "parley node") using ${paths.profileDir}, then start Parley again.`,
        );
        app.quit();
        return;
      }
      logger.log('error', 'app.core_failed', errorFields(err));
      dialog.showErrorBox(
        'Parley cannot start',
        isParleyError(err) ? err.message : `Parley could not open its profile folder ${paths.profileDir}.`,
      );
      app.exit(1);
      return;
    }
    core = started;
    unregisterIpc = registerIpc(ipcMain, started.dispatch, {
      isTrustedSender: (frame) => frame !== null && isTrustedUrl(frame.url, renderer),
    });
    openWindow(started.onEvent);
    try {
      tray = new AppTray({
        platform: process.platform,
        create: (image) => new Tray(image as NativeImage),
        buildMenu: (template) => Menu.buildFromTemplate(template),
        icons: trayIcons(iconPath),
        actions: {
          open: showWindow,
          lock: () => void started.dispatch('profile.lock', {}),
          quit: () => app.quit(),
        },
      });
    } catch (err) {
      // Some Linux desktops have no notification area; the window and the badge still work.
      logger.log('warn', 'app.tray_failed', errorFields(err));
    }
    stopUnread = watchUnread(started, (count, unlocked) => {
      tray?.update({ unread: count, unlocked });
      setBadge(count);
    });
    wireNotifications(started.onEvent, {
      bodyIsMarkup: process.platform === 'linux',
      isSupported: () => Notification.isSupported(),
      isWindowFocused: () => window?.isFocused() ?? false,
      create: (text) => new Notification(text),
      focusWindow: showWindow,
      sendToRenderer: (channel, payload) => {
        if (window && !window.webContents.isDestroyed()) window.webContents.send(channel, payload);
      },
    });
    app.on('activate', () => {
      if (!window) openWindow(started.onEvent);
    });
  };

  app.on('window-all-closed', () => {
    // With a tray icon Parley keeps running (and reachable) when its window closes; quit from
    // the tray or the menu. macOS apps stay in the dock; elsewhere without a tray, closing quits.
    if (process.platform !== 'darwin' && !tray) app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    if (!core || closing) return;
    // Hold the quit until the database is closed and the profile lock released.
    event.preventDefault();
    closing = true;
    stopUnread?.();
    tray?.destroy();
    tray = undefined;
    unregisterIpc?.();
    core
      .close()
      .catch((err: unknown) => logger.log('error', 'app.core_close_failed', errorFields(err)))
      .finally(() => app.quit());
  });

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      logger.log('error', 'app.start_failed', errorFields(err));
      app.exit(1);
    });
}

main();
