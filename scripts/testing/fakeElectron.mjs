// @ts-check
/**
 * A stand-in for the `electron` module of the main process, for loading the
 * built out/main/index.js in plain Node (scripts/bundleStartup.test.ts). It
 * implements just enough of each API the app calls for the app to run, and
 * records what the app did in `fake` so the harness can check it and play
 * the user's part (click the tray, answer a dialog, quit).
 *
 * Nothing here opens a window or talks to an OS service.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

/** What the app did, and the knobs the harness turns. */
export const fake = {
  /** @type {Map<string, (event: unknown, ...args: unknown[]) => unknown>} */
  handlers: new Map(),
  /** @type {BrowserWindow[]} */
  windows: [],
  /** @type {Tray[]} */
  trays: [],
  /** @type {Notification[]} */
  notifications: [],
  /** @type {{ title: string, content: string }[]} */
  errorBoxes: [],
  /** @type {string[]} */
  openedExternal: [],
  /** @type {unknown[]} */
  privilegedSchemes: [],
  /** @type {Map<string, (request: Request) => Response | Promise<Response>>} */
  protocolHandlers: new Map(),
  /** @type {string[]} */
  defaultProtocolClients: [],
  /** @type {number[]} */
  badgeCounts: [],
  /** @type {unknown[]} */
  loginItemSettings: [],
  /** Answers for dialog.showMessageBox, in order; the default is the first button (0). */
  /** @type {number[]} */
  messageBoxAnswers: [],
  /** @type {unknown[]} */
  messageBoxes: [],
  /** Answers for showOpenDialog / showSaveDialog, in order. */
  /** @type {({ canceled: boolean, filePaths?: string[], filePath?: string })[]} */
  fileDialogAnswers: [],
  /** @type {unknown[]} */
  fileDialogs: [],
  /** @type {unknown} */
  applicationMenu: null,
  paths: /** @type {Record<string, string>} */ ({}),
  appPath: process.cwd(),
  quit: false,
  /** @type {number | null} */
  exitCode: null,
  /** Called with every webContents.send, so the harness can route events to the preload. */
  /** @type {(channel: string, args: unknown[]) => void} */
  onSend: () => undefined,
  ready: /** @type {() => void} */ (() => undefined),
};

const readyPromise = new Promise((resolve) => {
  fake.ready = () => resolve(undefined);
});

class WebContents extends EventEmitter {
  url = '';
  destroyed = false;
  loading = false;
  /** @type {((details: { url: string }) => { action: string }) | null} */
  windowOpenHandler = null;
  /** @type {{ channel: string, args: unknown[] }[]} */
  sent = [];
  /** @param {string} channel @param {unknown[]} args */
  send(channel, ...args) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
    fake.onSend(channel, args);
  }
  isDestroyed() {
    return this.destroyed;
  }
  isLoading() {
    return this.loading;
  }
  getURL() {
    return this.url;
  }
  /** @param {(details: { url: string }) => { action: string }} handler */
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  /** @param {Record<string, unknown>} options */
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.visible = false;
    this.focused = false;
    this.minimized = false;
    this.destroyed = false;
    fake.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  static getAllWindows() {
    return fake.windows.filter((w) => !w.destroyed);
  }
  /** @param {string} path */
  loadFile(path) {
    return this.loadURL(pathToFileURL(path).href);
  }
  /** @param {string} url */
  loadURL(url) {
    this.webContents.url = url;
    this.webContents.loading = true;
    setImmediate(() => {
      this.webContents.loading = false;
      this.emit('ready-to-show');
      this.webContents.emit('did-finish-load');
    });
    return Promise.resolve();
  }
  /** @param {unknown} image @param {string} description */
  setOverlayIcon(image, description) {
    this.overlay = { image, description };
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {
    this.focused = true;
  }
  isFocused() {
    return this.focused;
  }
  isVisible() {
    return this.visible;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  maximize() {}
  isMaximized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  getNormalBounds() {
    return { x: 10, y: 10, width: 1100, height: 760 };
  }
  close() {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
  }
}

function preventable() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

class App extends EventEmitter {
  name = 'Electron';
  isPackaged = false;
  quitting = false;
  /** @param {string} name */
  getPath(name) {
    const path = fake.paths[name];
    if (!path) throw new Error(`fake electron: no path "${name}"`);
    return path;
  }
  /** @param {string} name @param {string} path */
  setPath(name, path) {
    fake.paths[name] = path;
  }
  /** @param {string} name */
  setName(name) {
    this.name = name;
  }
  getName() {
    return this.name;
  }
  getVersion() {
    return '0.0.0-test';
  }
  getAppPath() {
    return fake.appPath;
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return readyPromise;
  }
  isReady() {
    return true;
  }
  quit() {
    const before = preventable();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    const will = preventable();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    fake.quit = true;
    this.emit('quit');
  }
  /** @param {number} code */
  exit(code = 0) {
    fake.exitCode = code;
  }
  showAboutPanel() {}
  setAboutPanelOptions() {}
  /** @param {string} scheme */
  setAsDefaultProtocolClient(scheme) {
    fake.defaultProtocolClients.push(scheme);
    return true;
  }
  /** @param {number} count */
  setBadgeCount(count) {
    fake.badgeCounts.push(count);
    return true;
  }
  /** @param {unknown} settings */
  setLoginItemSettings(settings) {
    fake.loginItemSettings.push(settings);
  }
  getLoginItemSettings() {
    return { openAtLogin: false };
  }
  focus() {}
}

export const app = new App();

export const ipcMain = {
  /** @param {string} channel @param {(event: unknown, ...args: unknown[]) => unknown} handler */
  handle(channel, handler) {
    if (fake.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    fake.handlers.set(channel, handler);
  },
  /** @param {string} channel */
  removeHandler(channel) {
    fake.handlers.delete(channel);
  },
};

const webRequest = { onHeadersReceived() {} };

export const protocol = {
  /** @param {unknown[]} schemes */
  registerSchemesAsPrivileged(schemes) {
    fake.privilegedSchemes.push(...schemes);
  },
  /** @param {string} scheme @param {(request: Request) => Response | Promise<Response>} handler */
  handle(scheme, handler) {
    fake.protocolHandlers.set(scheme, handler);
  },
  /** @param {string} scheme */
  unhandle(scheme) {
    fake.protocolHandlers.delete(scheme);
  },
  /** @param {string} scheme */
  isProtocolHandled(scheme) {
    return fake.protocolHandlers.has(scheme);
  },
};

export const session = {
  defaultSession: {
    webRequest,
    protocol,
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
  },
};

export const Menu = {
  /** @param {unknown[]} template */
  buildFromTemplate(template) {
    return { template };
  },
  /** @param {unknown} menu */
  setApplicationMenu(menu) {
    fake.applicationMenu = menu;
  },
};

export class Tray extends EventEmitter {
  /** @param {unknown} image */
  constructor(image) {
    super();
    this.image = image;
    this.tooltip = '';
    this.title = '';
    /** @type {{ template: { label?: string, click?: () => void, type?: string, enabled?: boolean }[] } | null} */
    this.menu = null;
    this.destroyed = false;
    fake.trays.push(this);
  }
  /** @param {string} text */
  setToolTip(text) {
    this.tooltip = text;
  }
  /** @param {string} text */
  setTitle(text) {
    this.title = text;
  }
  /** @param {unknown} image */
  setImage(image) {
    this.image = image;
  }
  /** @param {any} menu */
  setContextMenu(menu) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

/** @param {unknown} source */
function image(source) {
  return {
    source,
    isEmpty: () => false,
    resize() {
      return this;
    },
    getSize: () => ({ width: 16, height: 16 }),
    toBitmap: () => Buffer.alloc(16 * 16 * 4),
  };
}

export const nativeImage = {
  /** @param {string} path */
  createFromPath: (path) => image(path),
  /** @param {Buffer} buffer */
  createFromBuffer: (buffer) => image(buffer),
  /** @param {string} url */
  createFromDataURL: (url) => image(url),
  /** @param {Buffer} bitmap */
  createFromBitmap: (bitmap) => image(bitmap),
  createEmpty: () => image(null),
};

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  /** @param {{ title: string, body: string }} options */
  constructor(options) {
    super();
    this.options = options;
    this.shown = false;
    fake.notifications.push(this);
  }
  show() {
    this.shown = true;
  }
  close() {
    this.shown = false;
  }
}

export const dialog = {
  /** @param {string} title @param {string} content */
  showErrorBox(title, content) {
    fake.errorBoxes.push({ title, content });
  },
  /** @param {...unknown} args */
  async showMessageBox(...args) {
    fake.messageBoxes.push(args.at(-1));
    return { response: fake.messageBoxAnswers.shift() ?? 0, checkboxChecked: false };
  },
  /** @param {...unknown} args */
  async showOpenDialog(...args) {
    fake.fileDialogs.push(args.at(-1));
    return fake.fileDialogAnswers.shift() ?? { canceled: true, filePaths: [] };
  },
  /** @param {...unknown} args */
  async showSaveDialog(...args) {
    fake.fileDialogs.push(args.at(-1));
    return fake.fileDialogAnswers.shift() ?? { canceled: true };
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => 'basic_text',
  /** @param {string} text */
  encryptString: (text) => Buffer.from(text),
  /** @param {Buffer} data */
  decryptString: (data) => data.toString(),
};

const display = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 };
export const screen = {
  getPrimaryDisplay: () => display,
  getAllDisplays: () => [display],
};

export const shell = {
  /** @param {string} url */
  async openExternal(url) {
    fake.openedExternal.push(url);
  },
};

export default {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
