import { BrowserWindow, screen } from 'electron';
import { errorFields, type Logger } from '../core/util/logger';
import type { RendererLocation } from './rendererLocation';
import { loadWindowState, MIN_SIZE, placeWindow, saveWindowState } from './windowState';

export interface MainWindowOptions {
  preloadPath: string;
  /** The window and taskbar icon (Linux and Windows; macOS uses the bundle's). */
  iconPath: string;
  renderer: RendererLocation;
  /** Folder of window-state.json. */
  userData: string;
  logger: Logger;
}

/**
 * The chat window. webPreferences spell out the hardened settings even where
 * they are Electron's defaults, so a reader (or a reviewer diffing this file)
 * sees them: checklist #2 no Node integration, #3 context isolation, #4 sandbox,
 * #6 web security on, #8 no insecure content, #9 no experimental features.
 */
export function createMainWindow({
  preloadPath,
  iconPath,
  renderer,
  userData,
  logger,
}: MainWindowOptions): BrowserWindow {
  const saved = loadWindowState(userData);
  const primary = screen.getPrimaryDisplay();
  const workAreas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map(
    (d) => d.workArea,
  );

  const win = new BrowserWindow({
    ...placeWindow(saved?.bounds, workAreas),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Parley',
    icon: iconPath,
    // Shown on ready-to-show so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: true,
    },
  });

  win.once('ready-to-show', () => {
    if (saved?.maximized) win.maximize();
    win.show();
  });
  win.on('close', () => {
    saveWindowState(userData, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  });

  // Both kinds are URLs: the dev server, or app://parley/index.html (appProtocol.ts), never file://.
  const loading = win.loadURL(renderer.url);
  loading.catch((err: unknown) =>
    logger.log('error', 'window.load_failed', { renderer: renderer.kind, ...errorFields(err) }),
  );
  return win;
}
