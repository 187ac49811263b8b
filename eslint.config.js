// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { coreLayersPlugin } from './lint/coreLayers.js';
import { sqlInStorePlugin } from './lint/sqlInStore.js';
import { viewsAtApiPlugin } from './lint/viewsAtApi.js';

/**
 * Lint = code health (typescript-eslint recommended, react-hooks) plus the
 * layer boundaries of DESIGN.md §1, which fail the lint:
 *
 *   src-main/core/**       no `electron`, nothing of src-main/app, src-main/cli or src-preload
 *   src-renderer/**        nothing of src-main or src-preload, no `electron`, no Node builtins
 *   src-preload/**         nothing of src-main
 *   src-shared/contract/   nothing of src-main or src-preload, no `electron`, no Node builtins
 *                          (main, preload, web shell and renderer all import it)
 *   src-renderer/** outside src/api/   never touches `window.parley`
 *   src-renderer/src outside api/, store/   never imports src/api: components call
 *                          stores, stores call api (DESIGN.md §1 rule 3)
 *   src-renderer/src/store/  no module-level `let` or Map/Set: a slice's state is in the store
 *
 * Only plain `no-restricted-imports` / `no-restricted-syntax` /
 * `no-restricted-globals`, one set per zone. ESLint does not merge a rule's
 * options across config objects (the last one wins), so each zone's full list
 * is built here and every zone gets exactly one entry per rule.
 * src-main/lintBoundaries.test.ts proves every rule fires and stays quiet.
 *
 * Not type-aware on purpose: `npm run typecheck` runs tsc, and a type-aware
 * lint would need every linted file in a tsconfig (scripts, tests excluded
 * from tsconfig.web, config files) and would be several times slower.
 */

const CODE = '{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

// ---------------------------------------------------------------------------
// Import restrictions. Each is a regex on the import specifier plus the message
// that says what to do instead. Used for static imports/exports
// (no-restricted-imports) and for `import()` / `typeof import()` (no-restricted-syntax).

const HOW_CORE =
  'The core (src-main/core) stays Electron-free: it runs under vitest, the CLI and Electron main (DESIGN.md §1 rule 1).';
const HOW_RENDERER =
  'The renderer is sandboxed and has no Node (DESIGN.md §1): reach the core only through src-renderer/src/api (window.parley), which the stores call; shared types and schemas come from src-shared/contract.';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

/** @typedef {{ regex: string, message: string }} ImportBan */

/** @type {ImportBan} */
const electronInCore = {
  regex: '^electron(?:/|$)',
  message: `${HOW_CORE} Declare an interface in core for what you need (keychain, notifier, paths…) and implement it in src-main/app, passing it in.`,
};

/** Relative imports that climb out of src-main/core into the app or cli shells. */
const shellInCore = (/** @type {number | null} */ depth) => ({
  regex:
    depth === null
      ? '^(?:\\./)?(?:\\.\\./)+(?:app|cli)(?:/|$)|(?:^|/)src-main/(?:app|cli)(?:/|$)'
      : `^(?:\\./)?(?:\\.\\./){${depth + 1}}(?:app|cli)(?:/|$)|(?:^|/)src-main/(?:app|cli)(?:/|$)`,
  message:
    'The core must not depend on a shell (src-main/app, src-main/cli): move the shared code into src-main/core, or have the shell pass it in.',
});

/** @type {ImportBan} */
const preloadBridgeInCore = {
  regex: '(?:^|/)src-preload(?:/|$)',
  message: `${HOW_CORE} Import types and schemas from src-shared/contract; src-preload is the Electron bridge.`,
};

/** @type {ImportBan[]} */
const rendererBans = [
  {
    regex: '(?:^|/)src-main(?:/|$)',
    message: `The renderer must not import src-main. ${HOW_RENDERER}`,
  },
  {
    regex: '^electron(?:/|$)',
    message: `The renderer cannot use Electron. ${HOW_RENDERER}`,
  },
  {
    regex: `^(?:node:|(?:${nodeBuiltins.join('|')})(?:/|$))`,
    message: `Node builtins do not exist in the renderer. ${HOW_RENDERER} If the core has what you need, add a request to the contract.`,
  },
  {
    regex: '(?:^|/)src-preload(?:/|$)',
    message: `The renderer may not import the Electron bridge (src-preload). ${HOW_RENDERER}`,
  },
];

const API_IN_VIEW_MESSAGE =
  'Components call stores; only the stores (src-renderer/src/store) call src-renderer/src/api (DESIGN.md §1 rule 3). Add an action to a slice that makes the request (a watch… action that returns the unsubscribe for an event) and call it from the component; types come from src-shared/contract or the store (AppState).';

/**
 * The api module, imported from a renderer file outside api/ and store/ that
 * sits `depth` folders below src-renderer/src (null: any depth). Type-only
 * imports are refused too: what a component needs to know about the core's
 * data is a contract type, and the api module's own types (its error class,
 * the connection state) reach components through the store (AppState).
 */
const apiInView = (/** @type {number | null} */ depth) => ({
  regex:
    depth === null
      ? '^(?:\\./)?(?:\\.\\./)*api(?:/|$)|(?:^|/)src/api(?:/|$)'
      : depth === 0
        ? '^(?:\\./)?api(?:/|$)|(?:^|/)src/api(?:/|$)'
        : `^(?:\\./)?(?:\\.\\./){${depth}}api(?:/|$)|(?:^|/)src/api(?:/|$)`,
  message: API_IN_VIEW_MESSAGE,
});

/** @type {ImportBan} */
const mainInPreload = {
  regex: '(?:^|/)src-main(?:/|$)',
  message:
    'The preload only bridges the contract: import types and schemas from src-shared/contract, never from src-main (it would bundle the core into the sandboxed preload).',
};

/** @type {ImportBan[]} */
const contractBans = [
  {
    regex: '(?:^|/)src-preload(?:/|$)',
    message:
      'The contract is shared by main, preload, web shell and renderer: it depends on none of them. Keep bridge code in src-preload and describe only types and schemas in src-shared/contract.',
  },
  {
    regex: '^electron(?:/|$)',
    message:
      'The contract is pure TypeScript shared with the sandboxed renderer: no Electron here. Electron code belongs in src-preload/index.ts (bridge) or src-main/app.',
  },
  {
    regex: `^(?:node:|(?:${nodeBuiltins.join('|')})(?:/|$))`,
    message:
      'The contract is pure TypeScript shared with the sandboxed renderer: no Node builtins here. Keep platform code in src-main/core and describe only types and schemas in the contract.',
  },
];

/** esquery wants no `/` inside a /regex/; `\x2F` is the same character for RegExp. */
const esqueryRegex = (/** @type {string} */ source) => `/${source.replaceAll('/', '\\x2F')}/`;

/** The rule entries for one zone: static imports, `import()` and `typeof import()`. */
function importRules(/** @type {ImportBan[]} */ bans) {
  return {
    imports: /** @type {const} */ ([
      'error',
      { patterns: bans.map((b) => ({ regex: b.regex, message: b.message })) },
    ]),
    syntax: bans.flatMap((b) => [
      { selector: `ImportExpression[source.value=${esqueryRegex(b.regex)}]`, message: b.message },
      { selector: `TSImportType[argument.literal.value=${esqueryRegex(b.regex)}]`, message: b.message },
    ]),
  };
}

// ---------------------------------------------------------------------------
// window.parley outside src-renderer/src/api (DESIGN.md §1 rule 3).

const PARLEY_MESSAGE =
  'Only src-renderer/src/api touches window.parley (DESIGN.md §1 rule 3): import the typed client from src-renderer/src/api in a store (zustand slice), and have components call the store.';
const HOST = '/^(?:window|globalThis|self)$/';
/** `window`, `globalThis.window`, `window as X`, `window as unknown as X`, `window!` … */
const hostObject = (/** @type {string} */ field) =>
  `:matches(${['name', 'property.name', 'expression.name', 'expression.expression.name']
    .map((path) => `[${field}.${path}=${HOST}]`)
    .join(', ')})`;
const parleyKey = (/** @type {string} */ field) =>
  `:matches([computed=false][${field}.name='parley'], [${field}.value='parley'], [${field}.quasis.0.value.cooked='parley'])`;

const parleySyntax = [
  // window.parley, window['parley'], window[`parley`], globalThis.parley, self.parley, (window as X).parley
  `MemberExpression${parleyKey('property')}${hostObject('object')}`,
  // const { parley } = window; ({ parley } = window); function f({ parley } = window)
  `VariableDeclarator${hostObject('init')} > ObjectPattern > Property${parleyKey('key')}`,
  `AssignmentExpression${hostObject('right')} > ObjectPattern > Property${parleyKey('key')}`,
  `AssignmentPattern${hostObject('right')} > ObjectPattern > Property${parleyKey('key')}`,
  // 'parley' in window
  `BinaryExpression[operator='in'][left.value='parley']${hostObject('right')}`,
  // Reflect.get(window, 'parley'), Object.getOwnPropertyDescriptor(window, 'parley') …
  `CallExpression[arguments.1.value='parley']${hostObject('arguments.0')}`,
].map((selector) => ({ selector, message: PARLEY_MESSAGE }));

// ---------------------------------------------------------------------------
// Module-level mutable state in the renderer's stores (DESIGN.md §1 rule 3: the
// store is where the renderer's state lives).

const MODULE_STATE_MESSAGE =
  'A slice keeps its state in the store (set/get), never in module variables: those are shared by every store built from the slice (tests, another window) and outlive a lock. Add a field to the slice; a value only the view needs goes in the component (useState/useRef).';

const moduleStateSyntax = [
  // let x = …; export let x = …; (var is refused everywhere by no-var)
  "Program > VariableDeclaration[kind='let']",
  "Program > ExportNamedDeclaration > VariableDeclaration[kind='let']",
  // const pending = new Set(); export const cache = new Map();
  'Program > VariableDeclaration > VariableDeclarator > NewExpression.init[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]',
  'Program > ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > NewExpression.init[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]',
].map((selector) => ({ selector, message: MODULE_STATE_MESSAGE }));

// ---------------------------------------------------------------------------
// Zones. Globs are disjoint per rule so no zone silently replaces another's list.

const coreGlob = `src-main/core/**/*.${CODE}`;
/** Exact depth below src-main/core, so `../app` is judged by where the file is. */
const CORE_DEPTHS = 8;

const coreBase = importRules([electronInCore, shellInCore(null), preloadBridgeInCore]);
const coreZones = [
  { name: 'parley/boundaries/core', files: [coreGlob], ...coreBase },
  ...Array.from({ length: CORE_DEPTHS }, (_, depth) => ({
    name: `parley/boundaries/core-depth-${depth}`,
    files: [`src-main/core/${'*/'.repeat(depth)}*.${CODE}`],
    ...importRules([electronInCore, shellInCore(depth), preloadBridgeInCore]),
  })),
];

const rendererImports = importRules(rendererBans);
const RENDERER_SRC = 'src-renderer/src';
/** The renderer's views: everything under src/ but the api module and the stores. */
const VIEW_IGNORES = [`${RENDERER_SRC}/api/**`, `${RENDERER_SRC}/store/**`];
/** Exact depth below src-renderer/src, so `../api` is judged by where the file is. */
const RENDERER_DEPTHS = 6;
const STORE_TESTS = `${RENDERER_SRC}/store/**/*.test.${CODE}`;

/** A renderer zone's rules: the renderer's import bans plus `extra`, window.parley refused. */
function rendererZone(
  /** @type {string} */ name,
  /** @type {string[]} */ files,
  /** @type {string[]} */ ignores,
  /** @type {ImportBan[]} */ extraBans,
  /** @type {{ selector: string, message: string }[]} */ extraSyntax,
) {
  const imports = importRules([...rendererBans, ...extraBans]);
  return {
    name,
    files,
    ignores,
    rules: {
      'no-restricted-imports': imports.imports,
      'no-restricted-syntax': ['error', ...imports.syntax, ...parleySyntax, ...extraSyntax],
      'no-restricted-globals': ['error', { name: 'parley', message: PARLEY_MESSAGE }],
    },
  };
}

const rendererZones = [
  // Outside src/ (config, html helpers): the renderer's bans only.
  rendererZone('parley/boundaries/renderer', [`src-renderer/**/*.${CODE}`], [`${RENDERER_SRC}/**`], [], []),
  // Stores: they call api; their own state lives in the store.
  rendererZone(
    'parley/boundaries/renderer-store',
    [`${RENDERER_SRC}/store/**/*.${CODE}`],
    [STORE_TESTS],
    [],
    moduleStateSyntax,
  ),
  rendererZone('parley/boundaries/renderer-store-tests', [STORE_TESTS], [], [], []),
  // Views (components, features, lib, the entry): never the api module.
  rendererZone(
    'parley/boundaries/renderer-view',
    [`${RENDERER_SRC}/**/*.${CODE}`],
    VIEW_IGNORES,
    [apiInView(null)],
    [],
  ),
  ...Array.from({ length: RENDERER_DEPTHS }, (_, depth) =>
    rendererZone(
      `parley/boundaries/renderer-view-depth-${depth}`,
      [`${RENDERER_SRC}/${'*/'.repeat(depth)}*.${CODE}`],
      VIEW_IGNORES,
      [apiInView(depth)],
      [],
    ),
  ),
];
const preloadImports = importRules([mainInPreload]);
const contractImports = importRules([mainInPreload, ...contractBans]);

const boundaryZones = [
  ...coreZones.map((z) => ({
    name: z.name,
    files: z.files,
    rules: { 'no-restricted-imports': z.imports, 'no-restricted-syntax': ['error', ...z.syntax] },
  })),
  {
    name: 'parley/boundaries/renderer-api',
    files: [`src-renderer/src/api/**/*.${CODE}`],
    rules: {
      'no-restricted-imports': rendererImports.imports,
      'no-restricted-syntax': ['error', ...rendererImports.syntax],
    },
  },
  ...rendererZones,
  {
    name: 'parley/boundaries/preload',
    files: [`src-preload/**/*.${CODE}`],
    rules: {
      'no-restricted-imports': preloadImports.imports,
      'no-restricted-syntax': ['error', ...preloadImports.syntax],
    },
  },
  {
    name: 'parley/boundaries/contract',
    files: [`src-shared/contract/**/*.${CODE}`],
    rules: {
      'no-restricted-imports': contractImports.imports,
      'no-restricted-syntax': ['error', ...contractImports.syntax],
    },
  },
];

// ---------------------------------------------------------------------------

export default defineConfig([
  globalIgnores(
    [
      'out/',
      'dist/',
      'node_modules/',
      '.native/',
      'bench/results/',
      'e2e/screenshots/',
      'test-results/',
      'playwright-report/',
      'coverage/',
      // Generated code (marked `*.generated.ts` with a DO NOT EDIT first line): the protobuf
      // codecs protons writes beside each .proto (net/proto/generate.mjs is linted).
      '**/*.generated.ts',
    ],
    'parley/ignores',
  ),
  {
    name: 'parley/files',
    files: [`**/*.${CODE}`],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'parley/typescript',
    rules: {
      // Parley strips C0/C1 controls and NUL from untrusted text on purpose (search input,
      // FTS5 expressions, stored messages), always as explicit \u escapes, which is exactly
      // what this rule reports. Prefer /\p{Cc}/u where it fits.
      'no-control-regex': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    name: 'parley/node-globals',
    files: [
      `src-main/**/*.${CODE}`,
      `src-preload/**/*.${CODE}`,
      `src-shared/**/*.test.${CODE}`,
      `scripts/**/*.${CODE}`,
      `lint/**/*.${CODE}`,
      `bin/**/*.${CODE}`,
      `bench/**/*.${CODE}`,
      `e2e/**/*.${CODE}`,
      `*.${CODE}`,
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'parley/renderer',
    files: [`src-renderer/**/*.${CODE}`],
    languageOptions: { globals: { ...globals.browser } },
    ...reactHooks.configs.flat.recommended,
  },
  ...boundaryZones,
  {
    // Inside the core, folders import only folders of a lower layer (lint/coreLayers.js).
    name: 'parley/core-layers',
    files: [coreGlob],
    plugins: { parley: coreLayersPlugin },
    rules: { 'parley/core-layers': 'error' },
  },
  {
    // SQL only in store/ repositories and search/ (lint/sqlInStore.js).
    name: 'parley/sql-in-store',
    files: [coreGlob],
    plugins: { 'parley-sql': sqlInStorePlugin },
    rules: { 'parley-sql/sql-in-store': 'error' },
  },
  {
    // Presenters at the api level map domain objects to views (lint/viewsAtApi.js).
    name: 'parley/views-at-api',
    files: [coreGlob],
    plugins: { 'parley-views': viewsAtApiPlugin },
    rules: { 'parley-views/views-at-api': 'error' },
  },
]);
