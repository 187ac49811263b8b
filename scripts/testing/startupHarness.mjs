// @ts-check
/**
 * Runs the built app in plain Node with a fake `electron` (fakeElectron.mjs)
 * and plays one session through the real bundles: out/main/index.js as
 * Electron main, out/preload/index.cjs in a vm context as the sandboxed
 * preload, and this script as the renderer that calls `window.parley`.
 * Prints one JSON line with what happened; scripts/bundleStartup.test.ts
 * checks it. Run in a child process: the module hook below is process-wide.
 *
 *   node startupHarness.mjs ROOT PROFILE_DIR APP_DATA
 */
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const [root, profileDir, appData] = process.argv.slice(2);
if (!root || !profileDir || !appData) throw new Error('usage: startupHarness.mjs ROOT PROFILE_DIR APP_DATA');

const fakeUrl = new URL('./fakeElectron.mjs', import.meta.url).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: fakeUrl, format: 'module', shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
const { fake, app } = await import(fakeUrl);

/** @param {() => boolean} condition @param {string} what */
async function until(condition, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const result = /** @type {Record<string, unknown>} */ ({});
try {
  fake.paths.appData = appData;
  fake.appPath = root;
  // What Electron's argv looks like for `electron . --profile DIR`, started by a parley:// link.
  process.argv = [process.execPath, root, '--profile', profileDir, 'parley://invite/FirstLaunchLink'];
  await import(pathToFileURL(join(root, 'out', 'main', 'index.js')).href);
  result.lockedBeforeReady = existsSync(join(profileDir, 'parley.pid'));
  fake.ready();
  await until(() => fake.windows.length > 0, 'the main window');
  const win = fake.windows[0];
  await until(() => win.webContents.url !== '', 'the window to load the renderer');
  result.webPreferences = win.options.webPreferences;
  result.rendererUrl = win.webContents.url;
  result.preloadPath = win.options.webPreferences.preload;
  result.userData = fake.paths.userData;
  result.trays = fake.trays.length;
  result.privilegedSchemes = fake.privilegedSchemes;
  result.defaultProtocolClients = fake.defaultProtocolClients;
  // The renderer's own scheme serves the built index.html with the CSP.
  const appHandler = fake.protocolHandlers.get('app');
  const page = appHandler ? await appHandler(new Request('app://parley/index.html')) : null;
  result.appPage = page
    ? {
        status: page.status,
        csp: page.headers.get('content-security-policy'),
        html: (await page.text()).slice(0, 200),
      }
    : null;
  result.appOutside = appHandler
    ? (await appHandler(new Request('app://parley/..%2f..%2fpackage.json'))).status
    : null;

  // --- the preload, sandboxed: only `electron` can be required, as in Electron's sandbox ---
  /** @type {Map<string, Set<(event: unknown, ...args: unknown[]) => void>>} */
  const listeners = new Map();
  /** @type {Record<string, any>} */
  const exposed = {};
  let senderUrl = win.webContents.url;
  const ipcRenderer = {
    /** @param {string} channel @param {unknown[]} args */
    async invoke(channel, ...args) {
      const handler = fake.handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      // IPC copies values with the structured clone algorithm both ways.
      const reply = await handler(
        { senderFrame: { url: senderUrl }, sender: win.webContents },
        ...structuredClone(args),
      );
      return structuredClone(reply);
    },
    /** @param {string} channel @param {(event: unknown, ...args: unknown[]) => void} listener */
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
      return ipcRenderer;
    },
    /** @param {string} channel @param {(event: unknown, ...args: unknown[]) => void} listener */
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  fake.onSend = (channel, args) => {
    for (const listener of listeners.get(channel) ?? [])
      listener({ sender: ipcRenderer }, ...structuredClone(args));
  };
  // The link of the first launch reached the window once it had loaded.
  result.firstLaunchLink = win.webContents.sent
    .filter((s) => s.channel === 'parley:event:host.openInvite')
    .map((s) => s.args[0]);
  const rendererElectron = {
    contextBridge: {
      /** @param {string} key @param {unknown} api */
      exposeInMainWorld(key, api) {
        exposed[key] = api;
      },
    },
    ipcRenderer,
  };
  const preloadSource = readFileSync(result.preloadPath, 'utf8');
  const context = vm.createContext({
    /** @param {string} id */
    require(id) {
      if (id === 'electron') return rendererElectron;
      throw new Error(`module not found: ${id} (a sandboxed preload can require only electron)`);
    },
    console,
  });
  vm.runInContext(preloadSource, context, { filename: 'out/preload/index.cjs' });
  const parley = exposed.parley;
  result.exposed = Object.keys(exposed);
  result.bridgeMethods = Object.keys(parley ?? {}).sort();

  // --- the renderer's part ---
  result.appInfo = await parley.request('app.info', {});
  result.statusBefore = await parley.request('profile.status', {});
  /** @type {unknown[]} */
  const events = [];
  const unsubscribe = parley.subscribe('profile.changed', (/** @type {unknown} */ p) => events.push(p));
  result.created = await parley.request('profile.create', {
    displayName: 'Startup Test',
    passphrase: 'correct horse battery staple 42',
  });
  await until(
    () => events.some((e) => /** @type {{ state: string }} */ (e).state === 'unlocked'),
    'profile.changed',
  );
  result.events = events;
  unsubscribe();

  // A second launch with a link (Windows, Linux): the running app takes it.
  /** @type {unknown[]} */
  const invites = [];
  parley.subscribe('host.openInvite', (/** @type {unknown} */ p) => invites.push(p));
  app.emit(
    'second-instance',
    {},
    ['/opt/Parley/parley', '--no-sandbox', 'parley://invite/SecondLaunchLink'],
    root,
  );
  // macOS: open-url.
  app.emit('open-url', { preventDefault() {} }, 'parley://invite/OpenUrlLink');
  app.emit('open-url', { preventDefault() {} }, 'parley://settings/ignored');
  result.invites = invites;

  // The tray: unread count and menu (after the debounced re-read).
  await new Promise((r) => setTimeout(r, 400));
  const tray = fake.trays[0];
  result.tray = tray
    ? {
        tooltip: tray.tooltip,
        menu: tray.menu?.template.map((i) => i.label ?? i.type),
        badge: fake.badgeCounts.at(-1),
      }
    : null;

  // Native dialogs: the core keeps the path, the renderer gets a handle.
  fake.fileDialogAnswers.push({ canceled: false, filePaths: [join(root, 'package.json')] });
  result.picked = await parley.request('host.pickFiles', { purpose: 'attachments', multiple: true });
  result.pickDialog = fake.fileDialogs.at(-1);

  // A web link from the page: asked first; "Cancel" opens nothing, "Open in browser" opens it.
  const openHandler = win.webContents.windowOpenHandler;
  fake.messageBoxAnswers.push(1, 0);
  result.windowOpen = [
    openHandler?.({ url: 'https://example.org/cancelled' }).action,
    openHandler?.({ url: 'https://example.org/opened' }).action,
    openHandler?.({ url: 'file:///etc/passwd' }).action,
  ];
  await new Promise((r) => setTimeout(r, 50));
  result.openedExternal = fake.openedExternal;
  result.messageBoxes = fake.messageBoxes.length;

  // A frame that is not our renderer is refused before the core sees it.
  senderUrl = 'https://attacker.example/';
  result.foreignFrame = await parley.request('profile.status', {});
  senderUrl = win.webContents.url;

  // Closing the window keeps Parley running in the tray; a second launch brings a window back.
  win.close();
  result.quitAfterClose = fake.quit;
  app.emit('second-instance', {}, ['/opt/Parley/parley'], root);
  result.windowsAfterReopen = fake.windows.filter((w) => !w.destroyed).length;

  // --- quit: main holds the quit until the core is closed ---
  app.quit();
  await until(() => fake.quit, 'the app to quit');
  result.quit = fake.quit;
  result.lockReleased = !existsSync(join(profileDir, 'parley.pid'));
  result.handlersLeft = fake.handlers.size;
  result.errorBoxes = fake.errorBoxes;
  result.exitCode = fake.exitCode;
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
  process.exit(0);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, error: err instanceof Error ? err.stack : String(err), result, errorBoxes: fake.errorBoxes })}\n`,
  );
  process.exit(1);
}
