// @ts-check
import { isAbsolute, join, relative, sep } from 'node:path';
import { CORE_LEVELS, coreFolderOf } from './coreLayers.js';

/**
 * Presenters map domain objects to the contract's views at the api level
 * (handlers/, and above it runtime/ and core.ts): folders below it import
 * no view type from the contract (issue 16 item 5, DESIGN.md §1 "How the
 * layers call"). A view type is a name ending in `View` or `Views`, or one
 * of VIEW_TYPES (view shapes named otherwise). Constants, limits, error
 * codes and validation rules from the contract stay usable everywhere.
 *
 * There are no exceptions: the presenters are handlers/*Presenter.ts
 * (contacts, files, messages, message extras, network), and every file below
 * the api level is checked; src-main/coreLayers.test.ts proves the rule.
 */
export const VIEW_TYPES = /** @type {const} */ ([
  'ContactProfile',
  'SafetyNumberView',
  'ImportCounts',
  'MessageExtras',
  'MessageHistory',
  'FileSettings',
]);

const CONTRACT = /(?:^|\/)src-shared\/contract(?:\/|$)/;
const TEST = /(?:\.test\.[cm]?[jt]sx?$)|(?:^|\/)testing\//;
const API = CORE_LEVELS.findIndex((l) => l.level === 'api');
/** @type {Map<string, number>} */
const levelOf = new Map(CORE_LEVELS.flatMap(({ folders }, index) => folders.map((f) => [f, index])));
const isView = (/** @type {string} */ name) =>
  /Views?$/.test(name) || /** @type {readonly string[]} */ (VIEW_TYPES).includes(name);

/** @type {import('eslint').Rule.RuleModule} */
export const viewsAtApiRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Below the api level, the core imports no view types (lint/viewsAtApi.js).' },
    schema: [],
    messages: {
      view: "core/{{from}} imports the view type {{name}}: domain folders hand out domain objects, and a presenter at the api level (handlers/, e.g. handlers/networkPresenter.ts) maps them to the contract's views (lint/viewsAtApi.js).",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const repoFile = relative(root, isAbsolute(file) ? file : join(root, file))
      .split(sep)
      .join('/');
    const folder = coreFolderOf(repoFile);
    if (folder === null || TEST.test(repoFile) || /\.worker\.[cm]?[jt]s$/.test(repoFile)) return {};
    const level = levelOf.get(folder);
    if (level === undefined || level >= API) return {};
    const from = repoFile.slice('src-main/core/'.length);

    /** @param {any} node */
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string' || !CONTRACT.test(source)) return;
      for (const s of node.specifiers ?? []) {
        const name = s.imported?.name ?? s.local?.name;
        if (typeof name === 'string' && s.type !== 'ImportNamespaceSpecifier' && isView(name)) {
          context.report({ node: s, messageId: 'view', data: { from, name } });
        }
      }
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check };
  },
};

export const viewsAtApiPlugin = { rules: { 'views-at-api': viewsAtApiRule } };
