// @ts-check
/**
 * Packages the built app with electron-builder's own code (the `dir` target,
 * this platform and arch) and electron-builder.yml, but with a stand-in
 * Electron (`electronDist`), so nothing is downloaded. The stand-in is a file
 * carrying an Electron fuse wire (sentinel, version 1, 8 fuses), so the
 * configured fuses are really flipped. Prints one JSON line:
 * { config, files, unpacked, fuses, executable }. Run in a child process:
 * electron-builder installs process exit hooks.
 *
 *   node packageWithFakeElectron.mjs ROOT WORK_DIR
 */
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const [root, work] = process.argv.slice(2);
if (!root || !work) throw new Error('usage: packageWithFakeElectron.mjs ROOT WORK_DIR');
const require = createRequire(join(root, 'package.json'));
const { build, Platform, Arch } = require('app-builder-lib');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util');
const asar = require('@electron/asar');
const fuses = require('@electron/fuses');

/** The fuse sentinel of @electron/fuses (constants.SENTINEL): what it searches the binary for. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const electronVersion = require('electron/package.json').version;

// --- the configuration as electron-builder reads and validates it ---
const config = await getConfig(root, null, null);
await validateConfiguration(config, new DebugLogger(false));

// --- a stand-in for the unpacked Electron zip ---
const fake = join(work, 'electron-dist');
mkdirSync(fake, { recursive: true });
const executable = process.platform === 'win32' ? 'electron.exe' : 'electron';
writeFileSync(
  join(fake, executable),
  Buffer.concat([
    Buffer.from('stand-in for Electron\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, 8]),
    Buffer.from('11111111'),
  ]),
  { mode: 0o755 },
);
writeFileSync(join(fake, 'version'), electronVersion);
writeFileSync(join(fake, 'LICENSE'), 'MIT');

const platform =
  process.platform === 'darwin'
    ? Platform.MAC
    : process.platform === 'win32'
      ? Platform.WINDOWS
      : Platform.LINUX;
await build({
  projectDir: root,
  targets: platform.createTarget('dir', Arch[/** @type {'x64' | 'arm64'} */ (process.arch)]),
  publish: 'never',
  config: { electronDist: fake, electronVersion, directories: { output: join(work, 'dist') } },
});

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
const dist = join(work, 'dist');
const appOut = readdirSync(dist)
  .map((d) => join(dist, d))
  .find((d) => statSync(d).isDirectory());
if (!appOut) throw new Error('electron-builder produced no app folder');
const all = walk(appOut);
const archive = all.find((f) => f.endsWith(`${sep}app.asar`));
if (!archive) throw new Error('no app.asar');
const packedExecutable = all.find((f) => !f.includes(`${sep}resources${sep}`) && statSync(f).mode & 0o111);
const files = asar
  .listPackage(archive, { isPack: false })
  .map((/** @type {string} */ f) => f.replace(/\\/g, '/'))
  .filter((/** @type {string} */ f) => {
    try {
      return !asar.statFile(archive, f.slice(1)).files;
    } catch {
      return false;
    }
  });
const unpacked = walk(`${archive}.unpacked`).map((f) =>
  relative(`${archive}.unpacked`, f).split(sep).join('/'),
);
const wire = packedExecutable ? await fuses.getCurrentFuseWire(packedExecutable) : null;
process.stdout.write(
  `${JSON.stringify({
    config: {
      appId: config.appId,
      productName: config.productName,
      protocols: config.protocols,
      asar: config.asar,
      linux: config.linux?.target,
      win: config.win?.target,
      mac: config.mac?.target,
      electronFuses: config.electronFuses,
    },
    files,
    unpacked,
    fuses: wire,
    executable: packedExecutable ? relative(appOut, packedExecutable) : null,
  })}\n`,
);
