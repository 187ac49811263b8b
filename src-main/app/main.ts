import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  session,
  shell,
} from 'electron';
import { join } from 'node:path';
import { createCore, type Core } from '../core/core';
import { isParleyError } from '../core/errors';
import { createJsonLogger, errorFields } from '../core/util/logger';
import { launchPaths, parseArgs } from './args';
import { forwardEvents, registerIpc } from './ipc';
import { safeStorageKeychain } from './keychain';
import { menuTemplate } from './menu';
import { wireNotifications } from './notifications';
import { rendererLocation } from './rendererLocation';
import { isTrustedUrl, secureSession, secureWebContents } from './security';
import { createMainWindow } from './window';

const logger = createJsonLogger((line) => process.stderr.write(`${line}\n`));

/**
 * The Electron shell around the core: one profile, one window, the contract
 * over IPC. Everything that decides something lives in the modules imported
 * above; this file only wires them to Electron's lifecycle.
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
  if (!app.requestSingleInstanceLock()) {
    // The running instance owns this profile; it brings its window forward on 'second-instance'.
    app.quit();
    return;
  }

  const appRoot = app.getAppPath();
  const renderer = rendererLocation(process.env, appRoot);
  const preloadPath = join(appRoot, 'out', 'preload', 'index.cjs');

  let core: Core | undefined;
  let window: BrowserWindow | undefined;
  let unregisterIpc: (() => void) | undefined;

  // Every web contents, including any Electron creates on its own, gets the navigation rules.
  app.on('web-contents-created', (_event, contents) => {
    secureWebContents(contents, (url) => shell.openExternal(url));
  });

  const openWindow = (events: Core['onEvent']) => {
    const win = createMainWindow({
      preloadPath,
      iconPath: join(appRoot, 'resources', 'icon.png'),
      renderer,
      userData: paths.userData,
      logger,
    });
    const stopForwarding = forwardEvents(events, win.webContents);
    win.on('closed', () => {
      stopForwarding();
      if (window === win) window = undefined;
    });
    window = win;
  };

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  const start = () => {
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
        logger,
        keychain: safeStorageKeychain(safeStorage, process.platform),
        // The desktop app is a LAN peer: listen on every interface (a free port) and find
        // nearby Parley peers by mDNS, which the "discoverable" setting can switch off.
        network: { listen: ['/ip4/0.0.0.0/tcp/0'], mdns: true },
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
    wireNotifications(started.onEvent, {
      bodyIsMarkup: process.platform === 'linux',
      isSupported: () => Notification.isSupported(),
      isWindowFocused: () => window?.isFocused() ?? false,
      create: (text) => new Notification(text),
      focusWindow: () => {
        if (!window) openWindow(started.onEvent);
        if (window?.isMinimized()) window.restore();
        window?.show();
        window?.focus();
      },
      sendToRenderer: (channel, payload) => {
        if (window && !window.webContents.isDestroyed()) window.webContents.send(channel, payload);
      },
    });
    app.on('activate', () => {
      if (!window) openWindow(started.onEvent);
    });
  };

  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with no window; elsewhere closing the window quits.
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    if (!core || closing) return;
    // Hold the quit until the database is closed and the profile lock released.
    event.preventDefault();
    closing = true;
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
