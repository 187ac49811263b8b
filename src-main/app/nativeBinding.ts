import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/util/logger';

/** Where scripts/postinstall.mjs puts better-sqlite3 built for Electron's ABI. */
export const ELECTRON_BINDING_PATH = join('.native', 'electron', 'better_sqlite3.node');

/**
 * Electron's V8 ABI differs from Node's, so the better-sqlite3 binary in
 * node_modules (built for Node, used by tests and the CLI) cannot load here.
 * Returns the Electron build if the install step produced one; otherwise the
 * core falls back to node_modules, which fails when a database is opened, so
 * say why once at start.
 */
export function findNativeBinding(appRoot: string, logger: Logger): string | undefined {
  const path = join(appRoot, ELECTRON_BINDING_PATH);
  if (existsSync(path)) return path;
  logger.log('warn', 'native.electron_binding_missing', {
    path,
    hint: 'run "node scripts/postinstall.mjs" with the Electron binary installed',
  });
  return undefined;
}
