// @ts-check
/**
 * `npm install`'s postinstall: fetches the Electron binary the way Electron 45
 * documents (its `install-electron` bin; see electronBinary.mjs), because the
 * electron package no longer does it on install. With
 * ELECTRON_SKIP_BINARY_DOWNLOAD set, or offline, it says so in one line.
 *
 * No native module is rebuilt for Electron any more: argon2 and
 * better-sqlite3-multiple-ciphers are Node-API addons whose prebuilt binaries
 * ship inside their npm packages, and a Node-API binary loads in Node and in
 * Electron alike (scripts/nativeModules.test.ts checks they stay that way).
 *
 * An install must never fail because of this step: every outcome, including
 * a failure, is one line on stdout and exit status 0.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectron, fetchElectron } from './electronBinary.mjs';

const PREFIX = 'parley postinstall:';

/**
 * @param {string} root
 * @param {{ env?: Record<string, string | undefined>, fetch?: import('./electronBinary.mjs').Fetcher, log?: (line: string) => void }} [deps]
 */
export async function main(root, { env = process.env, fetch = fetchElectron, log = console.log } = {}) {
  const outcome = await ensureElectron({ root, env, fetch });
  if (outcome.electron) {
    log(
      outcome.fetched
        ? `${PREFIX} fetched Electron ${outcome.electron.version}; "npm start" opens the desktop app.`
        : `${PREFIX} Electron ${outcome.electron.version} is installed.`,
    );
    return;
  }
  log(`${PREFIX} no Electron binary (${outcome.why}); "npm start" will use the web shell; ${outcome.hint}.`);
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(fileURLToPath(new URL('..', import.meta.url)))
    .catch((err) => {
      console.log(`${PREFIX} skipped fetching Electron after an unexpected error (${String(err)}).`);
    })
    .finally(() => {
      process.exitCode = 0;
    });
}
