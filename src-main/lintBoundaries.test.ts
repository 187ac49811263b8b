import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer boundaries of DESIGN.md §1 are lint rules (eslint.config.js). These
 * cases prove each one fires on a violating snippet at a realistic path, says
 * what to do instead, and stays quiet for what the design allows.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(path: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  if (!result) throw new Error(`no lint result for ${path}`);
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

interface Violation {
  name: string;
  path: string;
  code: string;
  rule: string;
  /** A piece of the message that tells the author where to go instead. */
  hint: string;
}

const CORE_HINT = 'src-main/app';
const RENDERER_HINT = 'src-renderer/src/api';
const CONTRACT_HINT = 'src-shared/contract';
const PARLEY_HINT = 'import the typed client from src-renderer/src/api';
const STORE_HINT = 'only the stores (src-renderer/src/store) call src-renderer/src/api';
const STATE_HINT = 'Add a field to the slice';

const violations: Violation[] = [
  // core: no electron, no shell
  {
    name: 'core imports electron',
    path: 'src-main/core/store/keychain.ts',
    code: "import { safeStorage } from 'electron';\nexport const s = safeStorage;\n",
    rule: 'no-restricted-imports',
    hint: CORE_HINT,
  },
  {
    name: 'core imports an electron subpath',
    path: 'src-main/core/net/node.ts',
    code: "import { app } from 'electron/main';\nexport const a = app;\n",
    rule: 'no-restricted-imports',
    hint: CORE_HINT,
  },
  {
    name: 'core re-exports from electron',
    path: 'src-main/core/core.ts',
    code: "export { app } from 'electron';\n",
    rule: 'no-restricted-imports',
    hint: CORE_HINT,
  },
  {
    name: 'core loads electron with import()',
    path: 'src-main/core/identity/deviceKey.ts',
    code: "export const load = () => import('electron');\n",
    rule: 'no-restricted-syntax',
    hint: CORE_HINT,
  },
  {
    name: 'core names an electron type with typeof import()',
    path: 'src-main/core/profile/keychain.ts',
    code: "export type Storage = typeof import('electron').safeStorage;\n",
    rule: 'no-restricted-syntax',
    hint: CORE_HINT,
  },
  {
    name: 'core imports the Electron shell',
    path: 'src-main/core/profile/profileService.ts',
    code: "import { mainWindow } from '../../app/window';\nexport const w = mainWindow;\n",
    rule: 'no-restricted-imports',
    hint: 'src-main/core',
  },
  {
    name: 'core imports the CLI',
    path: 'src-main/core/core.ts',
    code: "import { main } from '../cli/main';\nexport const m = main;\n",
    rule: 'no-restricted-imports',
    hint: 'src-main/core',
  },
  {
    name: 'core imports the preload bridge (which imports electron)',
    path: 'src-main/core/rpc/dispatcher.ts',
    code: "import { bridge } from '../../../src-preload/index';\nexport const b = bridge;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  // renderer: no src-main, no electron, no Node
  {
    name: 'renderer imports the core',
    path: 'src-renderer/src/store/profileSlice.ts',
    code: "import { createCore } from '../../../src-main/core/core';\nexport const c = createCore;\n",
    rule: 'no-restricted-imports',
    hint: RENDERER_HINT,
  },
  {
    name: 'renderer imports a type from src-main',
    path: 'src-renderer/src/features/onboarding/Onboarding.tsx',
    code: "import type { Core } from '../../../../src-main/core/core';\nexport type C = Core;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  {
    name: 'renderer api imports src-main',
    path: 'src-renderer/src/api/client.ts',
    code: "import { ParleyError } from '../../../src-main/core/errors';\nexport const E = ParleyError;\n",
    rule: 'no-restricted-imports',
    hint: RENDERER_HINT,
  },
  {
    name: 'renderer imports electron',
    path: 'src-renderer/src/api/client.ts',
    code: "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
    rule: 'no-restricted-imports',
    hint: RENDERER_HINT,
  },
  {
    name: 'renderer imports node:fs',
    path: 'src-renderer/src/components/Avatar.tsx',
    code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    rule: 'no-restricted-imports',
    hint: 'contract',
  },
  {
    name: 'renderer imports path (bare builtin)',
    path: 'src-renderer/src/store/files.ts',
    code: "import { basename } from 'path';\nexport const b = basename;\n",
    rule: 'no-restricted-imports',
    hint: 'contract',
  },
  {
    name: 'renderer imports fs/promises',
    path: 'src-renderer/src/store/files.ts',
    code: "import { readFile } from 'fs/promises';\nexport const r = readFile;\n",
    rule: 'no-restricted-imports',
    hint: 'contract',
  },
  {
    name: 'renderer loads a builtin with import()',
    path: 'src-renderer/src/store/files.ts',
    code: "export const load = () => import('node:crypto');\n",
    rule: 'no-restricted-syntax',
    hint: 'contract',
  },
  {
    name: 'renderer imports the preload bridge instead of the contract',
    path: 'src-renderer/src/api/client.ts',
    code: "import { bridge } from '../../../src-preload/index';\nexport const b = bridge;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  // preload: nothing of src-main
  {
    name: 'preload imports src-main',
    path: 'src-preload/index.ts',
    code: "import { createCore } from '../src-main/core/core';\nexport const c = createCore;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  {
    name: 'contract imports src-main',
    path: 'src-shared/contract/requests.ts',
    code: "import { ParleyError } from '../../src-main/core/errors';\nexport const E = ParleyError;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  {
    name: 'contract imports the preload bridge',
    path: 'src-shared/contract/bridge.ts',
    code: "import { bridge } from '../../src-preload/index';\nexport const b = bridge;\n",
    rule: 'no-restricted-imports',
    hint: CONTRACT_HINT,
  },
  {
    name: 'contract imports a Node builtin (the renderer imports the contract)',
    path: 'src-shared/contract/bridge.ts',
    code: "import { randomUUID } from 'node:crypto';\nexport const r = randomUUID;\n",
    rule: 'no-restricted-imports',
    hint: 'src-main/core',
  },
  // window.parley outside src-renderer/src/api
  ...[
    'window.parley.request("app.info", {});',
    'window?.parley?.request("app.info", {});',
    "window['parley'].request('app.info', {});",
    'window[`parley`].request("app.info", {});',
    'globalThis.parley.request("app.info", {});',
    'self.parley.request("app.info", {});',
    'globalThis.window.parley.request("app.info", {});',
    'export const b = (window as unknown as { parley: unknown }).parley;',
    'const { parley } = window;\nexport const b = parley;',
    'const { parley: bridge } = globalThis;\nexport const b = bridge;',
    // (in a function: a module-level let in a store is a violation of its own)
    'export function read(b?: unknown): unknown {\n  ({ parley: b } = window);\n  return b;\n}',
    'export function f({ parley } = window) {\n  return parley;\n}',
    "export const has = 'parley' in window;",
    "export const b = Reflect.get(window, 'parley');",
  ].map((code): Violation => ({
    name: `store touches window.parley: ${code.split('\n')[0]}`,
    path: 'src-renderer/src/store/profileSlice.ts',
    code: `${code}\n`,
    rule: 'no-restricted-syntax',
    hint: PARLEY_HINT,
  })),
  {
    name: 'component uses the bare parley global',
    path: 'src-renderer/src/features/onboarding/Onboarding.tsx',
    code: 'export const go = () => parley.request("profile.status", {});\n',
    rule: 'no-restricted-globals',
    hint: PARLEY_HINT,
  },
  {
    name: 'renderer entry touches window.parley',
    path: 'src-renderer/src/main.tsx',
    code: 'export const b = window.parley;\n',
    rule: 'no-restricted-syntax',
    hint: PARLEY_HINT,
  },
  // components call stores, stores call api (DESIGN.md §1 rule 3)
  ...[
    ['a feature component', 'src-renderer/src/features/contacts/NewGroupDialog.tsx', '../../api/client'],
    ['a feature hook', 'src-renderer/src/features/privacy/usePresence.ts', '../../api/client'],
    ['a shared component', 'src-renderer/src/components/ConnectionBanner.tsx', '../api/bridge'],
    ['a component three folders down', 'src-renderer/src/features/chat/parts/Row.tsx', '../../../api'],
    // The desktop shell's dialogs and login item: the last calls moved behind the host slice.
    ['a backup field', 'src-renderer/src/features/backup/BackupFileField.tsx', '../../api/client'],
    ['a settings switch', 'src-renderer/src/features/settings/StartAtLoginSetting.tsx', '../../api/client'],
    ['the refused screen', 'src-renderer/src/features/startup/RefusedScreen.tsx', '../../api/client'],
    ['a lib hook', 'src-renderer/src/lib/useWindowFocus.ts', '../api/client'],
    ['the renderer entry', 'src-renderer/src/main.tsx', './api/client'],
    [
      'a component, by a path through src',
      'src-renderer/src/features/home/HomeScreen.tsx',
      '../../../src/api',
    ],
  ].map(([who, path, from]): Violation => ({
    name: `${who} imports the api module (${from})`,
    path: path!,
    code: `import { api } from '${from}';\nexport const a = api;\n`,
    rule: 'no-restricted-imports',
    hint: STORE_HINT,
  })),
  {
    name: 'a component imports a type from the api module',
    path: 'src-renderer/src/features/chat/MessageMenu.tsx',
    code: "import type { ConnectionState } from '../../api/client';\nexport type C = ConnectionState;\n",
    rule: 'no-restricted-imports',
    hint: 'AppState',
  },
  {
    name: 'a component re-exports the api module',
    path: 'src-renderer/src/features/backup/BackupSection.tsx',
    code: "export { api } from '../../api/client';\n",
    rule: 'no-restricted-imports',
    hint: STORE_HINT,
  },
  {
    name: 'a component loads the api module with import()',
    path: 'src-renderer/src/features/backup/BackupSection.tsx',
    code: "export const load = () => import('../../api/client');\n",
    rule: 'no-restricted-syntax',
    hint: STORE_HINT,
  },
  {
    name: 'a component names an api type with typeof import()',
    path: 'src-renderer/src/components/Modal.tsx',
    code: "export type Api = typeof import('../api/client').api;\n",
    rule: 'no-restricted-syntax',
    hint: STORE_HINT,
  },
  // a slice's state is in the store, not in module variables
  {
    name: 'a slice counts in a module-level let',
    path: 'src-renderer/src/store/filesSlice.ts',
    code: 'let uploadSeq = 0;\nexport const nextId = () => `u${++uploadSeq}`;\n',
    rule: 'no-restricted-syntax',
    hint: STATE_HINT,
  },
  {
    name: 'a slice exports a module-level let',
    path: 'src-renderer/src/store/sessionSlice.ts',
    code: 'export let deviceUnlockTried = false;\nexport const tried = () => (deviceUnlockTried = true);\n',
    rule: 'no-restricted-syntax',
    hint: STATE_HINT,
  },
  {
    name: 'a slice keeps a module-level Set',
    path: 'src-renderer/src/store/filesSlice.ts',
    code: 'const cancelled = new Set<string>();\nexport const cancel = (id: string) => cancelled.add(id);\n',
    rule: 'no-restricted-syntax',
    hint: STATE_HINT,
  },
  {
    name: 'a store module exports a module-level Map',
    path: 'src-renderer/src/store/followCoreEvents.ts',
    code: 'export const offs = new Map<string, () => void>();\n',
    rule: 'no-restricted-syntax',
    hint: STATE_HINT,
  },
];

interface Allowed {
  name: string;
  path: string;
  code: string;
}

const allowed: Allowed[] = [
  {
    name: 'core imports zod, node builtins, the contract and its own modules',
    path: 'src-main/core/profile/profileService.ts',
    code: [
      "import { readFileSync } from 'node:fs';",
      "import { z } from 'zod';",
      "import type { ProfileStatus } from '../../../src-shared/contract';",
      "import { ParleyError } from '../errors';",
      "import { migrate } from '../store/migrate';",
      'export type S = ProfileStatus;',
      'export { readFileSync, z, ParleyError, migrate };',
      '',
    ].join('\n'),
  },
  {
    name: 'a core folder named like a shell, reached from inside core',
    path: 'src-main/core/content/text.ts',
    code: "import { x } from '../app/x';\nexport const y = x;\n",
  },
  {
    name: 'the Electron shell imports electron and the core',
    path: 'src-main/app/main.ts',
    code: [
      "import { app } from 'electron';",
      "import { createCore } from '../core/core';",
      'export { app, createCore };',
      '',
    ].join('\n'),
  },
  {
    name: 'the CLI imports the core and node builtins',
    path: 'src-main/cli/web.ts',
    code: "import { createServer } from 'node:http';\nimport { createCore } from '../core/core';\nexport { createServer, createCore };\n",
  },
  {
    name: 'the preload imports electron and the contract',
    path: 'src-preload/index.ts',
    code: [
      "import { contextBridge, ipcRenderer } from 'electron';",
      "import { requestChannel } from '../src-shared/contract';",
      'export { contextBridge, ipcRenderer, requestChannel };',
      '',
    ].join('\n'),
  },
  {
    name: 'renderer api touches window.parley in every form',
    path: 'src-renderer/src/api/bridge.ts',
    code: [
      "import type { ParleyBridge } from '../../../src-shared/contract';",
      'declare global {',
      '  interface Window {',
      '    parley: ParleyBridge;',
      '  }',
      '}',
      'const { parley } = window;',
      'export const a = window.parley;',
      'export const b = globalThis.parley;',
      'export { parley };',
      '',
    ].join('\n'),
  },
  {
    name: 'a store imports the api module, zustand and the contract',
    path: 'src-renderer/src/store/profileSlice.ts',
    code: [
      "import { create } from 'zustand';",
      "import { api } from '../api';",
      "import type { ProfileStatus } from '../../../src-shared/contract';",
      'export const useProfile = create<{ status: ProfileStatus | null }>(() => ({ status: null }));',
      'export { api };',
      '',
    ].join('\n'),
  },
  {
    name: 'a component calls the store and names contract types',
    path: 'src-renderer/src/features/contacts/NewGroupDialog.tsx',
    code: [
      "import type { InviteView } from '../../../../src-shared/contract';",
      "import { useAppStore } from '../../store/appStore';",
      'export type I = InviteView;',
      'export const useCreateGroup = () => useAppStore((s) => s.createGroup);',
      '',
    ].join('\n'),
  },
  {
    name: 'a feature folder of its own named api, one level down',
    path: 'src-renderer/src/features/chat/ChatView.tsx',
    code: "import { x } from './api/x';\nexport const y = x;\n",
  },
  {
    name: 'a slice keeps constants, function-scoped lets and per-call collections',
    path: 'src-renderer/src/store/filesSlice.ts',
    code: [
      "import { api } from '../api/client';",
      'const FILE_INFO_BATCH = 200;',
      "const LABELS = ['queued', 'asked'] as const;",
      'export function batches(ids: number[]): number[][] {',
      '  const out: number[][] = [];',
      '  let start = 0;',
      '  for (const seen = new Set<number>(); start < ids.length; start += FILE_INFO_BATCH) {',
      '    out.push(ids.slice(start, start + FILE_INFO_BATCH).filter((id) => !seen.has(id)));',
      '  }',
      '  return out;',
      '}',
      'export { api, LABELS };',
      '',
    ].join('\n'),
  },
  {
    name: 'a store test keeps its store in a module-level let',
    path: 'src-renderer/src/store/chatUnread.test.ts',
    code: 'let store: { n: number } | null = null;\nexport const reset = () => (store = { n: 0 });\nexport const read = () => store;\n',
  },
  {
    name: 'a window-wide lib hook keeps module state',
    path: 'src-renderer/src/lib/useWindowFocus.ts',
    code: [
      'let focused = true;',
      'const listeners = new Set<() => void>();',
      'export const blur = () => (focused = false);',
      'export const read = () => focused && listeners.size;',
      '',
    ].join('\n'),
  },
  {
    name: 'renderer uses other window properties and its own parley variable',
    path: 'src-renderer/src/components/Header.tsx',
    code: [
      'const parley = { name: "Parley" };',
      'export const title = `${parley.name} ${window.location.hash}`;',
      'export const w = window.innerWidth;',
      '',
    ].join('\n'),
  },
];

describe('lint boundaries (DESIGN.md §1)', () => {
  it.each(violations)('fires: $name', async ({ path, code, rule, hint }) => {
    const messages = await lint(path, code);
    const hits = messages.filter((m) => m.rule === rule);
    expect(hits, JSON.stringify(messages)).toHaveLength(1);
    expect(hits[0]?.message).toContain(hint);
    // The boundary is the only problem in the snippet, so the test is about that rule.
    expect(
      messages.filter((m) => m.rule !== rule),
      JSON.stringify(messages),
    ).toEqual([]);
  });

  it.each(allowed)('quiet: $name', async ({ path, code }) => {
    expect(await lint(path, code)).toEqual([]);
  });

  it('forbids `any` everywhere', async () => {
    const messages = await lint('src-main/core/util/x.ts', 'export const f = (a: any) => a;\n');
    expect(messages.map((m) => m.rule)).toEqual(['@typescript-eslint/no-explicit-any']);
  });

  it('ignores build output, generated codecs and results', async () => {
    for (const path of [
      'out/main/index.js',
      'bench/results/unlock.json',
      'test-results/x.js',
      'playwright-report/index.js',
      'src-main/core/net/proto/deliver.generated.ts',
    ]) {
      expect(await eslint.isPathIgnored(join(root, path)), path).toBe(true);
    }
    expect(await eslint.isPathIgnored(join(root, 'src-main/core/core.ts'))).toBe(false);
    expect(await eslint.isPathIgnored(join(root, 'src-main/core/net/proto/generate.mjs'))).toBe(false);
  });
});
