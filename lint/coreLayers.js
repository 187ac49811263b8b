// @ts-check
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The layers inside the core (src-main/core), lowest first. A file may import
 * its own folder and any folder of a LOWER level, never one of its own level
 * or above: domain code calls down, and news goes up through the event bus
 * (DESIGN.md §1, "How the layers call"). Because every import points strictly
 * down, folders cannot form an import loop.
 *
 * A folder is a name below src-main/core; a file directly in src-main/core is
 * named with its extension (`core.ts`, the root that composes everything for
 * one profile folder). Thread entry points (`*.worker.ts`) are roots of their
 * own thread and sit at the top with it.
 * Tests (`*.test.ts`) and test helpers (`testing/` folders) build whole peers
 * and may reach anything: the rule is about the product's code.
 *
 * src-main/coreLayers.test.ts proves the rule fires and stays quiet, that
 * every folder on disk has a level, and that each known exception below still
 * names a file that exists.
 */
export const CORE_LEVELS = /** @type {const} */ ([
  { level: 'base', folders: ['util', 'errors.ts'] },
  { level: 'platform', folders: ['crypto', 'identity', 'host', 'rpc'] },
  { level: 'storage', folders: ['store'] },
  { level: 'services', folders: ['search', 'net', 'mls', 'workers'] },
  { level: 'delivery', folders: ['delivery', 'profile', 'devices'] },
  { level: 'contacts', folders: ['contacts'] },
  { level: 'content', folders: ['content', 'presence'] },
  { level: 'groups', folders: ['groups', 'files'] },
  { level: 'backup', folders: ['backup'] },
  { level: 'linking', folders: ['linking', 'history'] },
  { level: 'api', folders: ['handlers'] },
  { level: 'runtime', folders: ['runtime'] },
  { level: 'root', folders: ['core.ts'] },
]);

/**
 * Imports that climb today, each to be removed by the change named (issue 16);
 * nothing else may climb. `from` is the importing file, `to` the folder.
 * Type-only imports count: a type names what the file depends on.
 */
export const KNOWN_UPWARD = /** @type {const} */ ([
  {
    from: 'src-main/core/handlers/deps.ts',
    to: 'runtime',
    why: 'handlers reach the running messaging through the MessagingHost type until runtime hands them services',
  },
]);

const CORE = 'src-main/core';
const ENTRY_POINT = /\.worker\.[cm]?[jt]s$/;
const TEST = /(?:\.test\.[cm]?[jt]sx?$)|(?:^|\/)testing\//;

/** @type {Map<string, number>} */
const levelOf = new Map(CORE_LEVELS.flatMap(({ folders }, index) => folders.map((f) => [f, index])));
const TOP = CORE_LEVELS.length - 1;

/** `src-main/core/x/…` → `x`; `src-main/core/core.ts` → `core.ts`; outside the core → null. */
export function coreFolderOf(/** @type {string} */ repoPath) {
  const path = repoPath.split(sep).join('/');
  if (!path.startsWith(`${CORE}/`)) return null;
  const rest = path.slice(CORE.length + 1);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}

/** The file an import specifier names, as the bundler resolves it (repo-relative), or null. */
function resolveTarget(
  /** @type {string} */ root,
  /** @type {string} */ fromFile,
  /** @type {string} */ spec,
) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(fromFile), spec);
  const repoPath = relative(root, base).split(sep).join('/');
  const folder = coreFolderOf(repoPath);
  if (folder === null) return null;
  if (!repoPath.slice(CORE.length + 1).includes('/')) {
    // A file directly in src-main/core (`../errors`), or a folder's index (`../mls`).
    for (const ext of ['.ts', '.tsx', '.js']) if (existsSync(base + ext)) return { folder: folder + ext };
    if (existsSync(base) && statSync(base).isDirectory()) return { folder };
    return null;
  }
  // A folder that does not exist is no layer's business (tsc reports the import).
  return existsSync(join(root, CORE, folder)) ? { folder } : null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const coreLayersRule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Inside src-main/core, a folder imports only folders of a lower layer (lint/coreLayers.js).',
    },
    schema: [],
    messages: {
      upward:
        'core/{{from}} ({{fromLevel}}) may not import core/{{to}} ({{toLevel}}): inside the core, code calls down only (lint/coreLayers.js, DESIGN.md §1). Move what both need into a lower folder, pass it in, or send news up through the event bus.',
      unknown:
        'core/{{from}} has no layer: add the folder to CORE_LEVELS in lint/coreLayers.js (which folders it may import follows from its level).',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const repoFile = relative(root, isAbsolute(file) ? file : join(root, file))
      .split(sep)
      .join('/');
    const from = coreFolderOf(repoFile);
    if (from === null || TEST.test(repoFile)) return {};
    const fromLevel = ENTRY_POINT.test(repoFile) ? TOP : levelOf.get(from);
    /** @type {Set<string>} */
    const allowedUp = new Set(KNOWN_UPWARD.filter((k) => k.from === repoFile).map((k) => k.to));

    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== 'string') return;
      const target = resolveTarget(root, join(root, repoFile), value);
      if (!target || target.folder === from) return;
      if (fromLevel === undefined) {
        context.report({ node, messageId: 'unknown', data: { from } });
        return;
      }
      const toLevel = levelOf.get(target.folder);
      if (toLevel === undefined) {
        context.report({ node, messageId: 'unknown', data: { from: target.folder } });
        return;
      }
      if (toLevel < fromLevel || allowedUp.has(target.folder)) return;
      context.report({
        node,
        messageId: 'upward',
        data: {
          from,
          fromLevel: CORE_LEVELS[fromLevel]?.level ?? '?',
          to: target.folder,
          toLevel: CORE_LEVELS[toLevel]?.level ?? '?',
        },
      });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      /** `typeof import('../x')` (typescript-eslint's TSImportType). */
      TSImportType(/** @type {import('estree').Node} */ node) {
        const { argument } =
          /** @type {{ argument?: { literal?: { value?: unknown }; value?: unknown } }} */ (
            /** @type {unknown} */ (node)
          );
        check(node, argument?.literal?.value ?? argument?.value);
      },
    };
  },
};

export const coreLayersPlugin = { rules: { 'core-layers': coreLayersRule } };
