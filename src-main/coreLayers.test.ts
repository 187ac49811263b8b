import { ESLint } from 'eslint';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_LEVELS, KNOWN_UPWARD } from '../lint/coreLayers.js';
import { CONNECTION_OWNERS } from '../lint/sqlInStore.js';

/**
 * The layers inside the core are a lint rule (lint/coreLayers.js, wired in
 * eslint.config.js). These cases prove it fires on an import that climbs, at
 * a realistic path and in every import form, stays quiet for what calls down,
 * and that its table keeps up with the folders on disk.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const core = join(root, 'src-main/core');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  if (!result) throw new Error(`no lint result for ${path}`);
  expect(
    result.messages.filter((m) => m.ruleId !== 'parley/core-layers'),
    JSON.stringify(result.messages),
  ).toEqual([]);
  return result.messages.map((m) => m.message);
}

const climbs: { name: string; path: string; code: string; says: string }[] = [
  {
    name: 'the store imports search (search indexes the store, not the other way)',
    path: 'src-main/core/store/store.ts',
    code: "import { SearchRepository } from '../search/searchRepository';\nexport const S = SearchRepository;\n",
    says: 'core/store (storage) may not import core/search (services)',
  },
  {
    name: 'net imports delivery',
    path: 'src-main/core/net/parleyNode.ts',
    code: "import type { Outbox } from '../delivery/outbox';\nexport type O = Outbox;\n",
    says: 'core/net (services) may not import core/delivery (delivery)',
  },
  {
    name: 'content calls back up into groups',
    path: 'src-main/core/content/richMessaging.ts',
    code: "import { GroupOps } from '../groups/groupOps';\nexport const G = GroupOps;\n",
    says: 'core/content (content) may not import core/groups (groups)',
  },
  {
    name: 'a sideways import between folders of one level',
    path: 'src-main/core/presence/presenceService.ts',
    code: "import { CONTENT_VERSION } from '../content/content';\nexport const V = CONTENT_VERSION;\n",
    says: 'core/presence (content) may not import core/content (content)',
  },
  {
    name: 'a domain folder imports the request handlers',
    path: 'src-main/core/groups/groupOps.ts',
    code: "export { createHandlers } from '../handlers';\n",
    says: 'core/groups (groups) may not import core/handlers (api)',
  },
  {
    name: 'a domain folder re-exports the composition root',
    path: 'src-main/core/files/fileService.ts',
    code: "export * from '../core';\n",
    says: 'core/files (groups) may not import core/core.ts (root)',
  },
  {
    name: 'import() of a higher folder',
    path: 'src-main/core/mls/groupEngine.ts',
    code: "export const load = () => import('../backup/createBackup');\n",
    says: 'core/mls (services) may not import core/backup (backup)',
  },
  {
    name: 'typeof import() of a higher folder',
    path: 'src-main/core/util/logger.ts',
    code: "export type H = typeof import('../runtime/messagingHost');\n",
    says: 'core/util (base) may not import core/runtime (runtime)',
  },
  {
    name: 'a file that is not a known exception climbs where one is allowed to',
    path: 'src-main/core/content/timers.ts',
    code: "import type { MessagingDeps } from '../runtime/messagingService';\nexport type D = MessagingDeps;\n",
    says: 'core/content (content) may not import core/runtime (runtime)',
  },
  {
    name: 'a new core folder without a level',
    path: 'src-main/core/calls/callService.ts',
    code: "import { silentLogger } from '../util/logger';\nexport const l = silentLogger;\n",
    says: 'core/calls has no layer',
  },
];

const quiet: { name: string; path: string; code: string }[] = [
  {
    name: 'groups call down into content, contacts, mls, store and base',
    path: 'src-main/core/groups/groupOps.ts',
    code: [
      "import { CONTENT_VERSION } from '../content/content';",
      "import type { Directory } from '../contacts/directory';",
      "import { GroupEngine } from '../mls/groupEngine';",
      "import type { Store } from '../store/store';",
      "import { ParleyError } from '../errors';",
      "import { KeyedMutex } from '../util/keyedMutex';",
      "import { encodeWireFrame } from './wireFrame';",
      'export type D = Directory;',
      'export type S = Store;',
      'export { CONTENT_VERSION, GroupEngine, ParleyError, KeyedMutex, encodeWireFrame };',
      '',
    ].join('\n'),
  },
  {
    name: 'the composition root imports every layer',
    path: 'src-main/core/core.ts',
    code: [
      "import { createHandlers } from './handlers';",
      "import { MessagingHost } from './runtime/messagingHost';",
      "import { Store } from './store/store';",
      'export { createHandlers, MessagingHost, Store };',
      '',
    ].join('\n'),
  },
  {
    name: 'a thread entry point imports the domain it runs',
    path: 'src-main/core/workers/backupSnapshot.worker.ts',
    code: "import { writeSnapshot } from '../backup/snapshot';\nexport const w = writeSnapshot;\n",
  },
  {
    name: 'a test builds whole peers from any layer',
    path: 'src-main/core/store/plaintext.test.ts',
    code: "import { peerPool } from '../runtime/testing/messagingPeer';\nexport const p = peerPool;\n",
  },
  {
    name: 'a known exception, until its change lands',
    path: 'src-main/core/handlers/deps.ts',
    code: "import type { MessagingHost } from '../runtime/messagingHost';\nexport type H = MessagingHost;\n",
  },
  {
    name: 'packages, node builtins and the contract are not core folders',
    path: 'src-main/core/net/parleyNode.ts',
    code: [
      "import { readFileSync } from 'node:fs';",
      "import { z } from 'zod';",
      "import type { AppInfo } from '../../../src-shared/contract';",
      'export type A = AppInfo;',
      'export { readFileSync, z };',
      '',
    ].join('\n'),
  },
];

describe('core layers (lint/coreLayers.js)', () => {
  it.each(climbs)('fires: $name', async ({ path, code, says }) => {
    const messages = await layerMessages(path, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(says);
  });

  it.each(quiet)('quiet: $name', async ({ path, code }) => {
    expect(await layerMessages(path, code)).toEqual([]);
  });

  it('gives every folder of src-main/core exactly one level', () => {
    const onDisk = readdirSync(core, { withFileTypes: true })
      .filter((e) => (e.isDirectory() || /^[^.]+\.ts$/.test(e.name)) && !e.name.endsWith('.test.ts'))
      .map((e) => e.name)
      .sort();
    const listed = CORE_LEVELS.flatMap((l) => [...l.folders]).sort();
    expect(listed).toEqual([...new Set(listed)]);
    expect(listed).toEqual(onDisk);
  });

  it('names only exceptions whose files still exist', () => {
    for (const { from, to } of KNOWN_UPWARD) {
      expect(existsSync(join(root, from)), from).toBe(true);
      expect(existsSync(join(core, to)), to).toBe(true);
    }
  });
});

/** Files that held SQL or the Db until issue 16 moved it behind repositories. */
const MOVED_OUT_OF_SQL = [
  'src-main/core/content/chatPreferences.ts',
  'src-main/core/content/notifications.ts',
  'src-main/core/content/richMessaging.ts',
  'src-main/core/content/timers.ts',
  'src-main/core/handlers/messageExtrasPresenter.ts',
  'src-main/core/handlers/conversations.ts',
  'src-main/core/contacts/inviteService.ts',
  'src-main/core/groups/conversationStarter.ts',
  'src-main/core/groups/groupContext.ts',
  'src-main/core/groups/welcomeReceiver.ts',
  'src-main/core/groups/groupSendQueue.ts',
  'src-main/core/handlers/backup.ts',
  'src-main/core/delivery/outbox.ts',
  'src-main/core/groups/resync.ts',
  'src-main/core/runtime/messagingService.ts',
  'src-main/core/runtime/messagingHost.ts',
  'src-main/core/runtime/startMessaging.ts',
];

/** Messages of the SQL rule (lint/sqlInStore.js) for `code` at `path`. */
async function sqlMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  if (!result) throw new Error(`no lint result for ${path}`);
  return result.messages.filter((m) => m.ruleId === 'parley-sql/sql-in-store').map((m) => m.message);
}

const sqlOutside: { name: string; path: string; code: string; says: string }[] = [
  {
    name: 'a service prepares a statement',
    path: 'src-main/core/contacts/directory.ts',
    code: "export const f = (d: { prepare(s: string): unknown }) => d.prepare('SELECT 1 FROM devices');\n",
    says: '.prepare() outside store/ and search/',
  },
  {
    name: 'a handler runs SQL text with exec()',
    path: 'src-main/core/handlers/chat.ts',
    code: "export const f = (s: { exec(q: string): void }) => s.exec('DELETE FROM messages');\n",
    says: '.exec() outside store/ and search/',
  },
  {
    name: 'a service opens a raw transaction on the connection',
    path: 'src-main/core/presence/nearbyService.ts',
    code: 'export const f = (deps: { db: { transaction(w: () => void): () => void } }) => deps.db.transaction(() => undefined)();\n',
    says: '.transaction() outside store/ and search/',
  },
  {
    name: 'a domain file names the raw Db type',
    path: 'src-main/core/mls/keyPackagePool.ts',
    code: "import type { Db } from '../store/encryptedDatabase';\nexport type D = Db;\n",
    says: 'imports the raw Db type',
  },
  {
    name: 'a domain file uses the statement cache',
    path: 'src-main/core/delivery/sqliteMailboxStore.ts',
    code: "export { prepared } from '../store/prepared';\n",
    says: "imports '../store/prepared'",
  },
  {
    name: 'a domain file imports better-sqlite3',
    path: 'src-main/core/backup/restoredDevice.ts',
    code: "import type Database from 'better-sqlite3-multiple-ciphers';\nexport type D = Database.Database;\n",
    says: "imports 'better-sqlite3-multiple-ciphers'",
  },
];

const sqlQuiet: { name: string; path: string; code: string }[] = [
  {
    name: 'a repository in store/',
    path: 'src-main/core/store/repositories/deviceRepository.ts',
    code: "import type { Db } from '../encryptedDatabase';\nexport const f = (db: Db) => db.prepare('SELECT 1').get();\n",
  },
  {
    name: 'search keeps its FTS5 SQL',
    path: 'src-main/core/search/searchRepository.ts',
    code: "import type { Db } from '../store/encryptedDatabase';\nexport const f = (db: Db) => db.prepare('SELECT 1').get();\n",
  },
  {
    name: 'RegExp#exec is no SQL',
    path: 'src-main/core/net/listenError.ts',
    code: 'const TCP = /\\/tcp\\/(\\d+)/;\nexport const a = /x(y)/.exec(String(TCP));\nexport const b = TCP.exec(String(a));\n',
  },
  {
    name: 'a worker opens its own connection and calls store/ for the SQL',
    path: 'src-main/core/workers/backupSnapshot.worker.ts',
    code: "import { openEncryptedDatabase } from '../store/encryptedDatabase';\nimport { vacuumInto } from '../store/databaseMaintenance';\nexport { openEncryptedDatabase, vacuumInto };\n",
  },
  {
    name: 'a service writes across repositories with the Transactor',
    path: 'src-main/core/contacts/contactsService.ts',
    code: 'export const f = (store: { tx: { run(w: () => void): void } }) => store.tx.run(() => undefined);\n',
  },
  {
    name: 'a test sets up rows directly',
    path: 'src-main/core/contacts/directory.test.ts',
    code: "import type { Db } from '../store/encryptedDatabase';\nexport const f = (db: Db) => db.prepare('INSERT INTO devices DEFAULT VALUES').run();\n",
  },
];

describe('SQL only in store/ and search/ (lint/sqlInStore.js)', () => {
  it.each(sqlOutside)('fires: $name', async ({ path, code, says }) => {
    const messages = await sqlMessages(path, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(says);
  });

  it.each(sqlQuiet)('quiet: $name', async ({ path, code }) => {
    expect(await sqlMessages(path, code)).toEqual([]);
  });

  // Files whose SQL moved into repositories (issue 16 item 3): the rule covers them again.
  it.each(MOVED_OUT_OF_SQL)('a moved file stays clean: %s', async (path) => {
    expect(await sqlMessages(path, readFileSync(join(root, path), 'utf8'))).toEqual([]);
    const messages = await sqlMessages(
      path,
      "export const f = (db: { prepare(s: string): unknown }) => db.prepare('SELECT 1');\n",
    );
    expect(messages).toHaveLength(1);
  });

  it('excepts only the file that owns the profile connection, which exists, none in store/ or search/', () => {
    expect(CONNECTION_OWNERS.map((e) => e.file)).toEqual(['src-main/core/profile/profileService.ts']);
    for (const { file } of CONNECTION_OWNERS) {
      expect(existsSync(join(root, file)), file).toBe(true);
      expect(file).not.toMatch(/^src-main\/core\/(?:store|search)\//);
    }
  });
});

/** Messages of the presenter rule (lint/viewsAtApi.js) for `code` at `path`. */
async function viewMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  if (!result) throw new Error(`no lint result for ${path}`);
  return result.messages.filter((m) => m.ruleId === 'parley-views/views-at-api').map((m) => m.message);
}

describe('presenters at the api level (lint/viewsAtApi.js)', () => {
  it.each([
    {
      name: 'a domain folder imports a *View type',
      path: 'src-main/core/presence/presenceService.ts',
      code: "import type { ContactPresenceView } from '../../../src-shared/contract/areas/presence';\nexport type V = ContactPresenceView;\n",
      says: 'imports the view type ContactPresenceView',
    },
    {
      name: 'a view shape named otherwise',
      path: 'src-main/core/groups/groupOps.ts',
      code: "import type { MessageExtras } from '../../../src-shared/contract/areas/messages';\nexport type V = MessageExtras;\n",
      says: 'imports the view type MessageExtras',
    },
    {
      name: 'the store maps rows to views',
      path: 'src-main/core/store/repositories/messageRepository.ts',
      code: "import type { MessageView } from '../../../../src-shared/contract';\nexport type V = MessageView;\n",
      says: 'imports the view type MessageView',
    },
  ])('fires: $name', async ({ path, code, says }) => {
    const messages = await viewMessages(path, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(says);
  });

  it.each([
    {
      name: 'a presenter in handlers/',
      path: 'src-main/core/handlers/networkPresenter.ts',
      code: "import type { ContactPresenceView } from '../../../src-shared/contract/areas/presence';\nexport type V = ContactPresenceView;\n",
    },
    {
      name: 'constants, limits and rules from the contract',
      path: 'src-main/core/files/fileSender.ts',
      code: "import { FILE_MAX_BYTES } from '../../../src-shared/contract/areas/files';\nimport { formatBytes } from '../../../src-shared/contract/format';\nexport { FILE_MAX_BYTES, formatBytes };\n",
    },
    {
      name: 'a test',
      path: 'src-main/core/presence/presenceService.test.ts',
      code: "import type { ContactPresenceView } from '../../../src-shared/contract/areas/presence';\nexport type V = ContactPresenceView;\n",
    },
  ])('quiet: $name', async ({ path, code }) => {
    expect(await viewMessages(path, code)).toEqual([]);
  });

  // Files whose views moved to presenters in handlers/ (issue 16 item 5): checked like any other.
  it.each([
    'src-main/core/contacts/contactsService.ts',
    'src-main/core/contacts/inviteStatus.ts',
    'src-main/core/files/fileService.ts',
    'src-main/core/files/fileTransfers.ts',
    'src-main/core/files/attachmentLookup.ts',
    'src-main/core/store/profileRepositories.ts',
  ])('a file whose views moved stays clean: %s', async (path) => {
    expect(await viewMessages(path, readFileSync(join(root, path), 'utf8'))).toEqual([]);
    const messages = await viewMessages(
      path,
      "import type { MessageView } from '../../../src-shared/contract';\nexport type V = MessageView;\n",
    );
    expect(messages).toHaveLength(1);
  });
});
