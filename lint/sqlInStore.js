// @ts-check
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * SQL lives in store/ repositories (and search/, which owns its FTS5 SQL):
 * inside src-main/core, no other file prepares or runs a statement, opens a
 * raw transaction, or names the raw connection type `Db` (DESIGN.md §1 "How
 * the layers call", issue 16 item 3). Services receive repositories and a
 * Transactor (store/profileRepositories.ts), never the connection.
 *
 * What is reported outside store/ and search/:
 *  - `x.prepare(…)`, on anything;
 *  - `x.exec(…)` with SQL text (a string or template literal) or on a
 *    receiver named like a database (`db`, `this.db`, `deps.database`…);
 *    `RegExp#exec` on a regex literal or a variable is not SQL;
 *  - `x.transaction(…)` on a receiver named like a database;
 *  - importing the `Db` type, the statement cache (`store/prepared`) or
 *    better-sqlite3 itself.
 * Not type-aware (see eslint.config.js): a connection under another name is
 * caught where its type is imported.
 *
 * Tests (`*.test.ts`) and test helpers (`testing/`) set up rows directly and
 * are exempt. CONNECTION_OWNERS names the one justified exception, with its
 * reason: the file that opens and closes a profile's connection (a worker or
 * a restore opens its own through openEncryptedDatabase, which is allowed,
 * and runs its SQL through store/). Every other file of the core is checked
 * (issue 16 item 3 emptied the list of files still to move);
 * src-main/coreLayers.test.ts proves the rule and that every entry still
 * names a file.
 */
export const CONNECTION_OWNERS = /** @type {const} */ ([
  // The one place a profile's connection is opened, checked (auto_vacuum, the WAL) and closed;
  // it hands the connection to store/ (Store, ProfileRepositories) and to search/ through core.ts.
  { file: 'src-main/core/profile/profileService.ts', why: 'opens, checks and closes the profile connection' },
]);

const CORE = 'src-main/core/';
const SQL_HOME = /^src-main\/core\/(?:store|search)\//;
const TEST = /(?:\.test\.[cm]?[jt]sx?$)|(?:^|\/)testing\//;
const DATABASE_NAME = /^(?:db|database|sqlite|connection)$|Db$|Database$/;
const RAW_MODULES = /^better-sqlite3(?:-multiple-ciphers)?$|(?:^|\/)store\/(?:prepared|encryptedDatabase)$/;

/** The last name of a receiver: `db` → db, `this.deps.db` → db, `s.store().db` → db. */
function receiverName(/** @type {any} */ node) {
  if (!node) return null;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'MemberExpression' && !node.computed) return node.property.name;
  if (node.type === 'CallExpression') return receiverName(node.callee);
  if (node.type === 'TSNonNullExpression' || node.type === 'TSAsExpression')
    return receiverName(node.expression);
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const sqlInStoreRule = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL only in store/ repositories and search/ (lint/sqlInStore.js).' },
    schema: [],
    messages: {
      sql: '{{what}} outside store/ and search/: SQL lives in a repository under src-main/core/store/repositories (one per table group). Add a method there and call it; write across repositories with the Transactor (store.tx.run) (lint/sqlInStore.js).',
      rawImport:
        'core/{{from}} imports {{what}}: services receive repositories and a Transactor (store/profileRepositories.ts), never the raw connection (lint/sqlInStore.js).',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const repoFile = relative(root, isAbsolute(file) ? file : join(root, file))
      .split(sep)
      .join('/');
    if (!repoFile.startsWith(CORE) || SQL_HOME.test(repoFile) || TEST.test(repoFile)) return {};
    if (CONNECTION_OWNERS.some((e) => e.file === repoFile)) return {};
    const from = repoFile.slice(CORE.length);

    /** @param {any} node */
    function checkImport(node) {
      const source = node.source?.value;
      if (typeof source !== 'string' || !RAW_MODULES.test(source)) return;
      const names = (node.specifiers ?? []).map((/** @type {any} */ s) => s.imported?.name ?? s.local?.name);
      // openEncryptedDatabase is how a worker or the profile opens its own connection: allowed.
      if (source.endsWith('encryptedDatabase') && !names.includes('Db')) return;
      const what = source.endsWith('encryptedDatabase') ? 'the raw Db type' : `'${source}'`;
      context.report({ node, messageId: 'rawImport', data: { from, what } });
    }

    return {
      ImportDeclaration: checkImport,
      ExportNamedDeclaration: (node) => node.source && checkImport(node),
      ExportAllDeclaration: checkImport,
      CallExpression(node) {
        const callee = /** @type {any} */ (node.callee);
        if (callee.type !== 'MemberExpression' || callee.computed) return;
        const method = callee.property.name;
        const receiver = receiverName(callee.object);
        const onDatabase = receiver !== null && DATABASE_NAME.test(receiver);
        const arg = /** @type {any} */ (node.arguments[0]);
        const sqlText =
          arg &&
          (arg.type === 'TemplateLiteral' || (arg.type === 'Literal' && typeof arg.value === 'string'));
        const regex = callee.object.type === 'Literal' && 'regex' in callee.object;
        const report =
          method === 'prepare' ||
          (method === 'exec' && !regex && (sqlText || onDatabase)) ||
          (method === 'transaction' && onDatabase);
        if (report) context.report({ node, messageId: 'sql', data: { what: `.${method}()` } });
      },
    };
  },
};

export const sqlInStorePlugin = { rules: { 'sql-in-store': sqlInStoreRule } };
